/**
 * Metrics windows over a seeded database: real transfers, compute charges, artifact creations and
 * issuance, plus LLM calls, actions and events, placed before, inside and after one window. Oracle
 * results and scrip debts come from real resolutions and debt contracts: realFeeds.test.ts. The
 * window is [t0, t1), read from the database clock between the phases, and the figures must be
 * exact. Rows stamped exactly at t0 count; rows at t1 do not.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { spend } from '../../src/buckets/store';
import { withTransaction } from '../../src/db/tx';
import { emit } from '../../src/events/emit';
import { aggregateWindow } from '../../src/metrics/aggregate';
import { getWindow } from '../../src/metrics/queries';
import type { MetricsWindow } from '../../src/metrics/types';
import { windowBefore } from '../../src/metrics/window';
import { setupFoundation, type Foundation } from '../support/harness';

const ROOT = join(__dirname, '..', '..');

let f: Foundation;
let t0: Date;
let t1: Date;

/**
 * A boundary on the database clock that a JS Date holds exactly: the next whole millisecond, after
 * waiting for the clock to pass it. (clock_timestamp() has microseconds; a Date truncates them, and a
 * row stamped earlier in the same millisecond would otherwise fall on the wrong side.)
 */
async function clock(): Promise<Date> {
  const r = await f.pool.query<{ t: Date }>(
    `SELECT t, pg_sleep(EXTRACT(EPOCH FROM t - clock_timestamp()) + 0.0005) FROM (SELECT date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' AS t) b`,
  );
  return r.rows[0]!.t;
}

let llmN = 0;
/** An LLM call row: finished at `finishedAt`, else now (the database clock), or still running. */
async function llmCall(c: { payer: string | null; cost: number; prompt: number; completion: number; finishedAt?: Date; reserved?: boolean }): Promise<void> {
  await f.pool.query(
    `INSERT INTO llm_calls (key, payer_id, model, status, worst_case_micros, reserved_micros, max_tokens, prompt_tokens, completion_tokens, cost_micros, finished_at)
     VALUES ($1, $2, 'gpt-4o-mini', $3, 10000, $4, 100, $5, $6, $7, CASE WHEN $3 = 'reserved' THEN NULL ELSE COALESCE($8::timestamptz, now()) END)`,
    [`llm-${++llmN}`, c.payer, c.reserved ? 'reserved' : 'succeeded', c.reserved ? 10000 : 0, c.prompt, c.completion, c.cost, c.finishedAt ?? null],
  );
}

const llmCallNow = (payer: string | null, cost: number, prompt: number, completion: number) => llmCall({ payer, cost, prompt, completion });

async function action(agent: string, iteration: number, status: 'done' | 'failed' | 'invalid' | 'thinking', type: string | null): Promise<void> {
  await f.pool.query(
    `INSERT INTO agent_actions (key, agent_id, iteration, status, action_type, thought_at, acted_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $4 <> 'thinking' THEN now() END, CASE WHEN $4 IN ('done', 'failed') THEN now() END)`,
    [`${agent}:${iteration}`, agent, iteration, status, type],
  );
}

async function event(type: string, actor: string | null, data: Record<string, unknown>, at?: Date): Promise<void> {
  if (at) {
    await f.pool.query('INSERT INTO events (type, actor_id, data, created_at) VALUES ($1, $2, $3, $4)', [type, actor, JSON.stringify(data), at]);
    return;
  }
  await withTransaction(f.pool, (client) => emit(client, { type, actor, data }));
}

async function burn(principal: string, amount: number, id: string): Promise<void> {
  await withTransaction(f.pool, (client) => spend(client, { id, principal, resource: 'compute', amount, kind: 'sandbox' }));
}

beforeAll(async () => {
  f = await setupFoundation();
  // Before the window.
  await f.principal('alice', { scrip: 100, compute: 1000 });
  await f.principal('bob', { scrip: 50, compute: 1000 });
  await f.principal('carol', { compute: 1000 });
  await f.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 10 });
  await llmCallNow('alice', 999, 10, 10);
  await action('alice', 0, 'done', 'write_artifact');

  t0 = await clock();
  // Inside the window.
  await f.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 7 });
  await f.ok('bob', 'genesis_ledger', 'transfer', { to: 'carol', amount: 3 });
  await f.ok('bob', 'genesis_store', 'create', { id: 'tool-1', type: 'tool', content: { doc: 'adds' } });
  await burn('alice', 1_000_000, 'burn-1');
  await f.principal('dave', { scrip: 25 });
  await llmCallNow('alice', 1200, 100, 50);
  await llmCallNow(null, 300, 40, 10);
  await llmCall({ payer: 'bob', cost: 0, prompt: 0, completion: 0, reserved: true });
  await action('alice', 1, 'done', 'write_artifact');
  await action('alice', 2, 'invalid', null);
  await action('bob', 1, 'failed', 'invoke_artifact');
  await action('bob', 2, 'thinking', null);
  t1 = await clock();

  // After the window.
  await f.ok('bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 1 });
  await f.ok('bob', 'genesis_store', 'create', { id: 'tool-2', type: 'tool', content: {} });
  await f.principal('erin', { scrip: 1000 });
  await burn('carol', 5, 'burn-2');
  await llmCallNow('alice', 5000, 1, 1);
  await action('alice', 3, 'done', 'sleep');

  // Exactly on the boundaries: the start counts, the end does not.
  await llmCall({ payer: 'carol', cost: 7, prompt: 3, completion: 4, finishedAt: t0 });
  await llmCall({ payer: 'carol', cost: 11, prompt: 1, completion: 1, finishedAt: t1 });
  await event('artifact_created', 'carol', { type: 'data', size_bytes: 2 }, t0);
  await event('artifact_created', 'carol', { type: 'data', size_bytes: 2 }, t1);
});

afterAll(() => f?.close());

/** A window's figures without what depends on when it was aggregated. */
function stable(w: MetricsWindow) {
  const { computed_at: _c, data, ...rest } = w;
  const { debt: _d, ...dataRest } = data;
  return { ...rest, data: dataRest };
}

describe('aggregateWindow', () => {
  let first: MetricsWindow;

  it('gives the exact figures of the window', async () => {
    first = await aggregateWindow(f.pool, { start: t0, end: t1 });
    expect(first).toMatchObject({
      window_start: t0.toISOString(),
      window_end: t1.toISOString(),
      actions: 3,
      compute_spent: 1_000_007,
      llm_cost_micros: 1200 + 300 + 7,
      llm_cost_total_micros: 999 + 1200 + 300 + 7,
      scrip_supply: 175,
      minted: 25,
      transfer_count: 3,
      transfer_volume: 35,
      artifacts_created: 2,
      oracle_resolutions: 0,
      principals_in_debt: 1,
    });
    const d = first.data;
    expect(d.per_agent).toEqual({
      alice: { actions: 2, actions_ok: 1, actions_failed: 0, actions_invalid: 1, compute: 1_000_001, llm_calls: 1, llm_cost_micros: 1200, llm_prompt_tokens: 100, llm_completion_tokens: 50 },
      bob: { actions: 1, actions_ok: 0, actions_failed: 1, actions_invalid: 0, compute: 6, llm_calls: 0, llm_cost_micros: 0, llm_prompt_tokens: 0, llm_completion_tokens: 0 },
      carol: { actions: 0, actions_ok: 0, actions_failed: 0, actions_invalid: 0, compute: 0, llm_calls: 1, llm_cost_micros: 7, llm_prompt_tokens: 3, llm_completion_tokens: 4 },
    });
    expect(d.actions_by_type).toEqual({ invalid: 1, invoke_artifact: 1, write_artifact: 1 });
    expect(d.llm_system).toEqual({ calls: 1, cost_micros: 300, prompt_tokens: 40, completion_tokens: 10 });
    expect(d.scrip).toEqual({ supply: 175, minted: 25, returned_to_mint: 0 });
    expect(d.transfers).toEqual({ count: 3, volume: 35, by_kind: { issuance: { count: 1, volume: 25 }, transfer: { count: 2, volume: 10 } } });
    expect(d.artifacts).toEqual({ created: 2, by_type: { data: 1, tool: 1 }, by_creator: { bob: 1, carol: 1 } });
    expect(d.oracle).toEqual([]);
    // alice spent a million CPU-ms with 1,000 granted: deep in debt now, nobody else is.
    expect(Object.keys(d.debt.compute)).toEqual(['alice']);
    expect(d.debt.compute.alice).toBeLessThan(-900_000);
    expect(d.debt.llm_tokens).toEqual({});
    expect(d.debt.scrip).toEqual({});
  });

  it('is idempotent by window start: a re-run rewrites the same row', async () => {
    const again = await aggregateWindow(f.pool, { start: t0, end: t1 });
    expect(stable(again)).toEqual(stable(first));
    const n = await f.pool.query('SELECT count(*)::int AS n FROM metrics_windows WHERE window_start = $1', [t0]);
    expect(n.rows[0].n).toBe(1);
  });

  it('a re-run picks up what settled late inside the window', async () => {
    // bob's call was still running at the first aggregation; it finishes, stamped inside the window.
    await f.pool.query(
      `UPDATE llm_calls SET status = 'succeeded', reserved_micros = 0, cost_micros = 50, prompt_tokens = 5, completion_tokens = 6, finished_at = $2
       WHERE payer_id = $1 AND status = 'reserved'`,
      ['bob', new Date(t0.getTime() + (t1.getTime() - t0.getTime()) / 2)],
    );
    const late = await aggregateWindow(f.pool, { start: t0, end: t1 });
    expect(late.llm_cost_micros).toBe(first.llm_cost_micros + 50);
    expect(late.data.per_agent.bob).toMatchObject({ llm_calls: 1, llm_cost_micros: 50, llm_prompt_tokens: 5, llm_completion_tokens: 6 });
    expect((await getWindow(f.pool, t0))?.llm_cost_micros).toBe(first.llm_cost_micros + 50);
  });

  it('an empty window still records the supply and the running LLM total', async () => {
    const start = new Date(t0.getTime() - 3_600_000 * 24 * 365);
    const w = await aggregateWindow(f.pool, { start, end: new Date(start.getTime() + 60_000) });
    expect(w).toMatchObject({ actions: 0, compute_spent: 0, llm_cost_micros: 0, llm_cost_total_micros: 0, scrip_supply: 0, transfer_count: 0, artifacts_created: 0, oracle_resolutions: 0 });
    expect(w.data.per_agent).toEqual({});
  });

  it('refuses a window that ends before it starts', async () => {
    await expect(aggregateWindow(f.pool, { start: t1, end: t0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('windowBefore', () => {
  it('is the last whole epoch-aligned window ending at or before the time', () => {
    expect(windowBefore(new Date('2030-01-01T00:05:30Z'), 300)).toEqual({ start: new Date('2030-01-01T00:00:00Z'), end: new Date('2030-01-01T00:05:00Z') });
    expect(windowBefore(new Date('2030-01-01T00:05:00Z'), 300)).toEqual({ start: new Date('2030-01-01T00:00:00Z'), end: new Date('2030-01-01T00:05:00Z') });
    expect(windowBefore(new Date('2030-01-01T00:04:59.999Z'), 300)).toEqual({ start: new Date('2029-12-31T23:55:00Z'), end: new Date('2030-01-01T00:00:00Z') });
  });

  it('refuses a window length that is not a positive whole number', () => {
    expect(() => windowBefore(new Date(), 0)).toThrow(/positive whole number/);
    expect(() => windowBefore(new Date('not a date'), 60)).toThrow(/not a valid date/);
  });
});

describe('ecology metrics', () => {
  function ecology(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: f.db.url };
      delete env.ECOLOGY_CONFIG;
      execFile(process.execPath, [join(ROOT, 'bin', 'ecology.cjs'), ...args], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });
  }

  it('prints the recent windows, newest first, as JSON', async () => {
    const r = await ecology(['metrics', '--limit', '5', '--json']);
    expect(r.code).toBe(0);
    const windows = JSON.parse(r.stdout.trim()) as MetricsWindow[];
    expect(windows.map((w) => w.window_start)).toEqual([t0.toISOString(), expect.any(String)]);
    expect(windows[0]).toMatchObject({ transfer_count: 3, scrip_supply: 175, data: { transfers: { volume: 35 } } });
  });

  it('prints one line per window, then the agents of the newest', async () => {
    const r = await ecology(['metrics', '--limit', '1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toContain('transfers 3/35');
    expect(lines[1]).toBe('agents in the newest window:');
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/)[0])).toEqual(['alice', 'bob', 'carol']);
  });

  it('fails on a bad --limit', async () => {
    const r = await ecology(['metrics', '--limit', '0', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});
