/**
 * The operator commands of the `ecology` CLI as separate processes: strict options, JSON output,
 * non-zero exits and clear errors when Temporal cannot be reached, the event log (with --follow),
 * the treasury, a spawn when no root workflow runs, and `bootstrap --root` (compose's one-shot).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { withTransaction } from '../../src/db/tx';
import { bootstrapWorld } from '../../src/ecology/bootstrap';
import { emit } from '../../src/events/emit';
import { connectClient } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { BIN, exited, ROOT, run, waitFor, type Run } from './support';

jest.setTimeout(120_000);

const suffix = randomBytes(3).toString('hex');
const AGENT = `cli_${suffix}`;
let db: TestDatabase;
let dir: string;
let env: NodeJS.ProcessEnv;
const overrides = {
  temporal: { taskQueue: `cli-test-${suffix}` },
  oracle: { scheduleId: `oracle-cli-${suffix}`, enabled: false },
  metrics: { scheduleId: `metrics-cli-${suffix}`, enabled: false },
  ecology: { workflowId: `ecology-cli-${suffix}`, initialAgents: [], treasury: { scrip: 50, compute: 500 }, temporalConnectTimeoutMs: 1500 },
};

const ecology = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> => run(process.execPath, [BIN, ...args], { ...env, ...extra });

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ecology-cli-'));
  const file = join(dir, 'ecology.config.json');
  writeFileSync(file, JSON.stringify(overrides));
  env = { ...process.env, DATABASE_URL: db.url, ECOLOGY_CONFIG: file };
  const config = loadConfig({ file, env: { DATABASE_URL: db.url, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '' } });
  const client = await connectClient(config);
  try {
    await bootstrapWorld({ pool: db.pool, config, temporal: client });
  } finally {
    await client.connection.close();
  }
});

afterAll(async () => {
  const config = loadConfig({ overrides, env: { TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '' } });
  const client = await connectClient(config);
  await client.workflow.getHandle(`agent-${AGENT}`).terminate('test over').catch(() => undefined);
  await client.workflow.getHandle(overrides.ecology.workflowId).terminate('test over').catch(() => undefined);
  for (const id of [overrides.oracle.scheduleId, overrides.metrics.scheduleId]) await client.schedule.getHandle(id).delete().catch(() => undefined);
  await client.connection.close();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ecology operator commands', () => {
  it('parse options strictly: unknown flags, flags given values and missing arguments are usage errors', async () => {
    for (const args of [['agents', '--all'], ['events', '--follow=yes'], ['up', '--fast'], ['wake'], ['spawn', '--id', 'x'], ['oracle', 'later']]) {
      const r = await ecology([...args, '--json']);
      expect({ args, code: r.code, json: r.json }).toEqual({ args, code: 1, json: { ok: false, error: { code: 'USAGE', message: expect.any(String) } } });
    }
    const help = await ecology(['help']);
    for (const name of ['up', 'bootstrap', 'agents', 'agent', 'wake', 'pause', 'resume', 'stop', 'spawn', 'events', 'oracle', 'calibrate', 'bench', 'summary']) {
      expect(help.stdout).toContain(`\n  ${name}`);
    }
  });

  it('say clearly when Temporal cannot be reached', async () => {
    const away = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const wake = await ecology(['wake', 'alice', '--json'], away);
    expect(wake.code).toBe(1);
    expect(wake.json.error.code).toBe('UNAVAILABLE');
    expect(wake.json.error.message).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1.*scripts\/services\.sh/);
    // The agent list still shows what the database knows, with 'unknown' statuses.
    await withTransaction(db.pool, async (c) => void (await c.query(`INSERT INTO artifacts (id, type, content, owner_id, access_contract_id, has_standing, can_execute, size_bytes) VALUES ('lonely', 'agent', '{}', 'lonely', 'genesis_self_owned', true, true, 2)`)));
    const agents = await ecology(['agents', '--json'], away);
    expect(agents.code).toBe(0);
    expect(agents.json.temporal.reachable).toBe(false);
    expect(agents.json.agents).toEqual([expect.objectContaining({ id: 'lonely', status: 'unknown' })]);
    await db.pool.query(`DELETE FROM artifacts WHERE id = 'lonely'`);
    const summary = await ecology(['summary', '--json'], away);
    expect(summary.code).toBe(1);
  });

  it('print the event log, and follow it as events commit', async () => {
    const after = Number((await db.pool.query<{ n: string }>('SELECT COALESCE(max(seq), 0) AS n FROM events')).rows[0]!.n);
    const follower = spawn(process.execPath, [BIN, 'events', '--follow', '--json', '--types', 'test_ping', '--after', String(after), '--limit', '5'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const printed = () => out.trim().split('\n').filter(Boolean).length;
    const ping = (n: number) => withTransaction(db.pool, async (c) => void (await emit(c, { type: 'test_ping', subject: `p${n}`, data: { n } })));
    // p1 shows either as the backlog or as followed; p2, sent once p1 is out, can only be followed.
    await ping(1);
    await waitFor('p1 printed', async () => printed() >= 1, 30_000, 100);
    await ping(2);
    await waitFor('p2 followed', async () => printed() >= 2, 30_000, 100);
    follower.kill('SIGINT');
    expect((await exited(follower)).code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; subject: string });
    expect(lines.map((e) => [e.type, e.subject])).toEqual([['test_ping', 'p1'], ['test_ping', 'p2']]);
    const listed = await ecology(['events', '--json', '--types', 'test_ping', '--after', '0']);
    expect(listed.json.events.map((e: { subject: string }) => e.subject)).toEqual(['p1', 'p2']);
  });

  it('issue to the treasury idempotently, and spawn an agent from it when no root workflow runs', async () => {
    expect((await ecology(['treasury', '--json'])).json.treasury).toEqual({ scrip: 50, compute: 500 });
    const issue = ['treasury', 'issue', '--key', 'topup-1', '--scrip', '25', '--json'];
    expect((await ecology(issue)).json.treasury.scrip).toBe(75);
    expect((await ecology(issue)).json.treasury.scrip).toBe(75);
    const spawned = await ecology(['spawn', '--id', AGENT, '--prompt', 'You are a test.', '--scrip', '30', '--compute', '100', '--json']);
    expect(spawned.json).toMatchObject({ ok: true, via: 'cli', spawn: { id: AGENT, scrip: 30, compute: 100, workflow: 'started' } });
    expect((await ecology(['treasury', '--json'])).json.treasury).toEqual({ scrip: 45, compute: 400 });
    const again = await ecology(['spawn', '--id', AGENT, '--prompt', 'Another.', '--json']);
    expect(again.json).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    const broke = await ecology(['spawn', '--id', `${AGENT}_2`, '--prompt', 'x', '--scrip', '1000', '--json']);
    expect(broke.json).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
    expect((await db.pool.query('SELECT 1 FROM artifacts WHERE id = $1', [`${AGENT}_2`])).rowCount).toBe(0);
    const listed = await ecology(['artifacts', '--type', 'agent', '--json']);
    expect(listed.json.items.map((a: { id: string }) => a.id)).toEqual([AGENT]);
    expect((await ecology(['escrow', '--json'])).json).toEqual({ ok: true, listings: [] });
    const audit = await ecology(['audit', '--json']);
    expect(audit.code).toBe(0);
  });

  it("bootstrap --root (compose's one-shot) starts the root workflow once; a second run finds it running", async () => {
    expect((await ecology(['bootstrap', '--root', '--no-start', '--json'])).json).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    const first = await ecology(['bootstrap', '--root', '--json']);
    expect(first.json).toMatchObject({ ok: true, root: { workflow_id: overrides.ecology.workflowId, action: 'started' } });
    expect(first.code).toBe(0);
    const second = await ecology(['bootstrap', '--root', '--json']);
    expect(second.json).toMatchObject({ ok: true, root: { workflow_id: overrides.ecology.workflowId, action: 'already-running' } });
    expect(second.code).toBe(0);
    const client = await connectClient(loadConfig({ overrides, env: { TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '' } }));
    try {
      const d = await client.workflow.getHandle(overrides.ecology.workflowId).describe();
      expect({ type: d.type, taskQueue: d.taskQueue, status: d.status.name }).toEqual({ type: 'ecologyWorkflow', taskQueue: overrides.temporal.taskQueue, status: 'RUNNING' });
    } finally {
      await client.connection.close();
    }
  });
});
