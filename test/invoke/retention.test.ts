/**
 * Stored results are bounded by retention (config `retention`, src/db/retention.ts): every
 * invocation keeps its result (up to sandbox.limits.maxOutputBytes) for replays of its key, and
 * every agent iteration its action's result, so their bytes grow with each call. Once older than
 * the retention they are replaced by a small marker, in batches, idempotently; a replay of a pruned
 * key still gives the same ok/failed outcome, money and the audit are untouched.
 */
import { beginThink, finishAct, finishThink } from '../../src/agents/queries';
import { iterationKey } from '../../src/agents/types';
import { PRUNED_ACTION_RESULT, PRUNED_INVOCATION_RESULT, pruneRetainedResults } from '../../src/db/retention';
import { setupWorld, type World } from './support';

const OUTPUT_CHARS = 20_000;
const CALLS = 7;
let w: World;

beforeAll(async () => {
  w = await setupWorld({ overrides: { retention: { invocationResultsHours: 1, agentActionResultsHours: 1, batchRows: 3, maxBatches: 2 } } });
  for (const p of ['alice', 'bob']) await w.principal(p);
  await w.artifact('alice', 'big', { code: `export function run() { return 'x'.repeat(${OUTPUT_CHARS}) }`, price: 1 });
  await w.artifact('alice', 'boom', { code: `export function run() { console.log('y'.repeat(1000)); throw new Error('boom') }`, price: 1 });
}, 60_000);
afterAll(() => w?.close());

const retention = () => w.config.retention;

async function invocationBytes(keys: string[]): Promise<number> {
  return (await w.pool.query<{ n: number }>('SELECT COALESCE(sum(octet_length(run_result::text)), 0)::int AS n FROM invocations WHERE key = ANY($1)', [keys])).rows[0].n;
}

async function actionBytes(agent: string): Promise<number> {
  return (await w.pool.query<{ n: number }>('SELECT COALESCE(sum(octet_length(result::text)), 0)::int AS n FROM agent_actions WHERE agent_id = $1', [agent])).rows[0].n;
}

/** What pruning must never change: balances, the journal, operation keys, statuses and counts. */
async function untouched(): Promise<unknown> {
  const q = async (sql: string) => (await w.pool.query(sql)).rows;
  return {
    accounts: await q('SELECT principal_id, asset, balance FROM accounts ORDER BY 1, 2'),
    journal: await q('SELECT count(*)::int AS n FROM journal'),
    invocations: await q('SELECT key, status, cpu_ms, error, run_result->\'ok\' AS ok FROM invocations ORDER BY key'),
    actions: await q('SELECT key, status, action_type, summary, error, acted_at FROM agent_actions ORDER BY key'),
  };
}

test('invocation results older than the retention are pruned in batches; a replay of a pruned key says so', async () => {
  const old: string[] = [];
  for (let i = 0; i < CALLS; i++) {
    const key = w.key();
    expect(await w.invoke('bob', 'big', 'run', {}, key)).toMatchObject({ ok: true });
    old.push(key);
  }
  const failedKey = w.key();
  const failed = await w.invoke('bob', 'boom', 'run', {}, failedKey);
  expect(failed.ok).toBe(false);
  old.push(failedKey);
  // Without retention every call's result stays.
  expect(await invocationBytes(old)).toBeGreaterThan(CALLS * OUTPUT_CHARS);

  await w.pool.query(`UPDATE invocations SET settled_at = settled_at - interval '2 hours' WHERE key = ANY($1)`, [old]);
  const recent = w.key();
  expect(await w.invoke('bob', 'big', 'run', {}, recent)).toMatchObject({ ok: true });
  const before = await untouched();

  // Batched: at most batchRows x maxBatches rows a run; the next run goes on; then nothing is left.
  const { batchRows, maxBatches } = retention();
  expect((await pruneRetainedResults(w.pool, retention())).invocations).toBe(batchRows * maxBatches);
  expect((await pruneRetainedResults(w.pool, retention())).invocations).toBe(old.length - batchRows * maxBatches);
  expect((await pruneRetainedResults(w.pool, retention())).invocations).toBe(0);

  expect(await invocationBytes(old)).toBeLessThan(old.length * 200);
  expect(await invocationBytes([recent])).toBeGreaterThan(OUTPUT_CHARS);
  expect(await untouched()).toEqual(before);

  expect(await w.invoke('bob', 'big', 'run', {}, old[0])).toMatchObject({ ok: true, replayed: true, result: PRUNED_INVOCATION_RESULT });
  expect(await w.invoke('bob', 'boom', 'run', {}, failedKey)).toMatchObject({ ok: false, replayed: true, error: (failed as { error: unknown }).error });
  expect(await w.invoke('bob', 'big', 'run', {}, recent)).toMatchObject({ ok: true, replayed: true, result: 'x'.repeat(OUTPUT_CHARS) });
  await w.expectAuditOk();
}, 120_000);

test('agent action results older than the retention are pruned; small ones, counts and recent ones stay', async () => {
  const agent = 'bob';
  const act = async (iteration: number, result: unknown) => {
    const key = iterationKey(agent, iteration);
    await beginThink(w.pool, { key, agentId: agent, iteration, attempt: 0, prompt: {} });
    await finishThink(w.pool, { key, status: 'ready', llmKey: `${key}:llm`, actionType: 'invoke', action: { action: 'invoke' }, reasoning: null, rawOutput: null, error: null, summary: 'invoke', costMicros: 0, tokens: 0, keepPrompt: false });
    await finishAct(w.pool, { key, ok: true, result, error: null, summary: 'invoke -> ok' });
    return key;
  };
  const big = 'z'.repeat(OUTPUT_CHARS);
  const oldKeys: string[] = [];
  for (let i = 0; i < CALLS; i++) oldKeys.push(await act(i, { big }));
  const small = await act(CALLS, 1);
  expect(await actionBytes(agent)).toBeGreaterThan(CALLS * OUTPUT_CHARS);
  await w.pool.query(`UPDATE agent_actions SET acted_at = acted_at - interval '2 hours', thought_at = thought_at - interval '2 hours' WHERE agent_id = $1`, [agent]);
  const recent = await act(CALLS + 1, { big });
  const before = await untouched();

  let pruned = 0;
  for (let n = -1; n !== 0; pruned += n) n = (await pruneRetainedResults(w.pool, retention())).agentActions;
  expect(pruned).toBe(CALLS);
  expect(await actionBytes(agent)).toBeLessThan(OUTPUT_CHARS + (CALLS + 2) * 200);
  const results = new Map((await w.pool.query<{ key: string; result: unknown }>('SELECT key, result FROM agent_actions WHERE agent_id = $1', [agent])).rows.map((r) => [r.key, r.result]));
  for (const k of oldKeys) expect(results.get(k)).toEqual(PRUNED_ACTION_RESULT);
  expect(results.get(small)).toBe(1);
  expect(results.get(recent)).toEqual({ big });
  expect(await untouched()).toEqual(before);
  await w.expectAuditOk();
}, 60_000);
