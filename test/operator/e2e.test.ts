/**
 * The whole thing, started the way the README says (`ecology up`, which `npm start` runs after
 * starting the services) and driven only from outside: the `ecology` CLI and the `temporal` CLI.
 * It has a database, a Temporal dev server (its own, so it can be restarted) and an LLM (the fake
 * OpenAI-compatible server) of its own; the configuration file shortens the oracle and metrics
 * periods. It checks that agents act, a spawn through the Temporal CLI works, the oracle resolves
 * and mints, a restart of the worker and one of the dev server keep the world going, and the audit
 * passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlm, type ChatRequestBody, type FakeLlm, type FakeReply } from '../support/fakeLlm';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { BIN, DevServer, exited, freePort, ROOT, run, waitFor, type Run } from './support';

jest.setTimeout(240_000);

let dir: string;
let db: TestDatabase;
let fake: FakeLlm;
let temporal: DevServer;
let env: NodeJS.ProcessEnv;
let up: { child: ChildProcess; out: string; err: string } | null = null;

/** What the fake LLM answers each agent, by the agent's count of calls so far. */
const calls = new Map<string, number>();
const SLEEP = '{"action":"sleep","seconds":1}';
function reply(body: ChatRequestBody): FakeReply {
  if (body.response_format?.json_schema?.name === 'oracle_score') return { content: '{"score": 70, "reason": "a working tool"}' };
  const prompt = body.messages.map((m) => m.content).join('\n');
  const agent = /Agent: (\S+)/.exec(prompt)?.[1] ?? '?';
  const n = calls.get(agent) ?? 0;
  calls.set(agent, n + 1);
  if (agent === 'alice' && n === 0) {
    return { content: JSON.stringify({ action: 'write_artifact', id: 'alice_tool', type: 'tool', content: { doc: 'adds two numbers' }, code: 'export function run(a) { return a.x + a.y }', can_execute: true }) };
  }
  if (agent === 'alice' && n === 1) return { content: JSON.stringify({ action: 'invoke_artifact', id: 'genesis_oracle', method: 'bid', args: { artifact_id: 'alice_tool', amount: 5 } }) };
  return { content: SLEEP };
}

const ecology = (...args: string[]): Promise<Run> => run(process.execPath, [BIN, ...args], env);
const tctl = (...args: string[]): Promise<Run> => temporal.cli(args);

/** `ecology up --json` in the background; resolves with its 'ready' line. */
async function startUp(): Promise<any> {
  const child = spawn(process.execPath, [BIN, 'up', '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const handle = { child, out: '', err: '' };
  up = handle;
  child.stdout!.on('data', (d: Buffer) => (handle.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (handle.err += d.toString()));
  return waitFor(
    'ecology up to be ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`ecology up exited with ${child.exitCode}: ${handle.err.slice(-3000)}`);
      const line = handle.out.split('\n').find((l) => l.includes('"event":"ready"'));
      return line ? JSON.parse(line) : undefined;
    },
    120_000,
  );
}

/** Ctrl-C: the worker stops cleanly and `up` exits 0. */
async function stopUp(): Promise<number | null> {
  const h = up;
  if (!h) return null;
  up = null;
  h.child.kill('SIGINT');
  const killer = setTimeout(() => h.child.kill('SIGKILL'), 60_000);
  const { code } = await exited(h.child);
  clearTimeout(killer);
  return code;
}

async function actionCount(): Promise<number> {
  return Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM agent_actions WHERE status IN ('done', 'failed', 'invalid')`)).rows[0]!.n);
}

async function agentsActing(min: number): Promise<void> {
  await waitFor(
    `every agent to act at least ${min} times`,
    async () => {
      const r = await ecology('agents', '--json');
      if (r.code !== 0) return false;
      const rows = r.json.agents as Array<{ id: string; iteration: number | null }>;
      return rows.length >= 3 && rows.every((a) => (a.iteration ?? 0) >= min);
    },
    90_000,
    1000,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ecology-e2e-'));
  db = await createTestDatabase({ migrate: false });
  fake = await startFakeLlm({ responder: reply });
  temporal = new DevServer(await freePort(), join(dir, 'temporal.db'));
  await temporal.start();
  const configFile = join(dir, 'ecology.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      quotas: { operatorPrincipal: { llm_token_rate: 1000000, llm_token_capacity: 10000000, compute_rate: 1000, compute_capacity: 100000 } },
      oracle: { intervalSeconds: 8 },
      metrics: { windowSeconds: 10, lagSeconds: 1 },
      agents: { errorBackoffSeconds: 1, workerShutdownGraceMs: 1000 },
      dashboard: { port: 0 },
      ecology: { summaryRefreshSeconds: 1 },
    }),
  );
  // A data folder of its own: `ecology up` writes its world file there, not into the shared one.
  env = { ...process.env, DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address, OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'fake-key', ECOLOGY_CONFIG: configFile, ECOLOGY_DATA_DIR: dir };
}, 120_000);

afterAll(async () => {
  await stopUp().catch(() => undefined);
  await temporal?.stop().catch(() => undefined);
  await fake?.close().catch(() => undefined);
  await db?.drop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the ecology, run as the README says', () => {
  it('starts: bootstraps, runs ecologyWorkflow, and its agents act', async () => {
    const ready = await startUp();
    expect(ready.root).toMatchObject({ workflow_id: 'ecology', action: 'started', status: 'running' });
    expect(ready.agents.sort()).toEqual(['alice', 'bob', 'carol']);
    await agentsActing(2);
    const alice = await ecology('agent', 'alice', '--json');
    expect(alice.code).toBe(0);
    expect(alice.json.workflow).toMatchObject({ workflow_id: 'agent-alice', status: 'RUNNING' });
    expect(alice.json.actions.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['write_artifact', 'invoke_artifact']));
    // The root answers the Temporal CLI's query.
    const q = await tctl('workflow', 'query', '--workflow-id', 'ecology', '--type', 'summary', '--output', 'json');
    expect(q.code).toBe(0);
    expect(JSON.parse(q.stdout).queryResult[0]).toMatchObject({ status: 'running' });
  });

  it('spawns an agent paid by the treasury through the Temporal CLI, and signals reach agents', async () => {
    const s = await tctl('workflow', 'signal', '--workflow-id', 'ecology', '--name', 'spawnAgent', '--input', JSON.stringify({ id: 'dave', system_prompt: 'You are Dave.', scrip: 20, compute: 500 }));
    expect(s.code).toBe(0);
    const dave = await waitFor('dave to act', async () => {
      const r = await ecology('agent', 'dave', '--json');
      return r.code === 0 && r.json.actions.length > 0 ? r.json : undefined;
    }, 60_000, 1000);
    // (Balances may have moved since: an oracle resolution shares UBI, its remainder goes to the treasury.)
    expect(dave.balances.scrip).toBeGreaterThanOrEqual(20);
    const paid = await db.pool.query(`SELECT debit_principal, credit_principal, amount::int AS amount FROM journal WHERE id = 'spawn:dave:scrip'`);
    expect(paid.rows).toEqual([{ debit_principal: 'treasury', credit_principal: 'dave', amount: 20 }]);
    expect((await db.pool.query(`SELECT 1 FROM resource_effects WHERE id = 'spawn:dave:compute'`)).rowCount).toBe(1);
    // A spawn the treasury cannot pay is refused and recorded.
    await tctl('workflow', 'signal', '--workflow-id', 'ecology', '--name', 'spawnAgent', '--input', JSON.stringify({ id: 'erin', system_prompt: 'x', scrip: 10_000_000 }));
    const erin = await waitFor('the refused spawn to be recorded', async () => {
      const r = await ecology('summary', '--json');
      return (r.json?.summary?.spawns ?? []).find((x: { id: string }) => x.id === 'erin');
    }, 30_000);
    expect(erin).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
    // pause and resume through the ecology CLI, the state query through the Temporal CLI
    expect((await ecology('pause', 'bob')).code).toBe(0);
    await waitFor('bob to pause', async () => {
      const r = await tctl('workflow', 'query', '--workflow-id', 'agent-bob', '--type', 'state', '--output', 'json');
      return r.code === 0 && JSON.parse(r.stdout).queryResult[0].status === 'paused';
    }, 30_000);
    expect((await ecology('resume', 'bob')).code).toBe(0);
    expect((await ecology('wake', 'nobody')).code).not.toBe(0);
  });

  it('resolves the oracle: the bid wins, is scored and minted', async () => {
    const resolution = await waitFor('a resolution with a winner', async () => {
      const r = await ecology('oracle', 'history', '--json');
      return (r.json?.resolutions ?? []).find((x: { results: { winners: unknown[] } }) => x.results.winners.length > 0);
    }, 60_000, 1000);
    expect(resolution.results.minted_total).toBe(70);
    const metrics = await waitFor('a metrics window', async () => {
      const r = await ecology('metrics', '--json');
      return r.code === 0 && Array.isArray(r.json) && r.json.length > 0;
    }, 60_000, 1000);
    expect(metrics).toBe(true);
  });

  it('keeps the world through a restart of the worker (Ctrl-C, then up again)', async () => {
    expect(await stopUp()).toBe(0);
    const before = await actionCount();
    const ready = await startUp();
    expect(ready.root).toMatchObject({ action: 'already-running', status: 'running' });
    await waitFor('agents to act again', async () => (await actionCount()) >= before + 4, 60_000);
  });

  it('keeps the world through a restart of the Temporal dev server', async () => {
    await temporal.stop();
    const before = await actionCount();
    await temporal.start();
    for (const id of ['ecology', 'agent-alice', 'agent-dave']) {
      const d = await tctl('workflow', 'describe', '--workflow-id', id, '--output', 'json');
      expect(d.code).toBe(0);
      expect(JSON.parse(d.stdout).workflowExecutionInfo.status).toMatch(/RUNNING/);
    }
    await waitFor('agents to act after the dev server came back', async () => (await actionCount()) >= before + 4, 90_000);
    const summary = await ecology('summary', '--json');
    expect(summary.json.summary.status).toBe('running');
  });

  it('passes the audit', async () => {
    const audit = await ecology('audit', '--json');
    expect(audit.json.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    expect(audit.code).toBe(0);
  });
});

describe('npm start without an LLM endpoint', () => {
  it('thinks with the bundled local model; with the endpoint chosen and none configured, `ecology up` stops at once', async () => {
    const data = mkdtempSync(join(tmpdir(), 'ecology-nollm-'));
    try {
      const bare: NodeJS.ProcessEnv = { ...process.env, ECOLOGY_DATA_DIR: data, ECOLOGY_CONFIG: join(data, 'none.json'), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
      delete bare.OPENAI_API_KEY;
      delete bare.OPENAI_BASE_URL;
      writeFileSync(join(data, 'none.json'), '{}');
      // What scripts/run.sh asks before it installs the local model.
      const pre = await run(process.execPath, [BIN, 'up', '--preflight', '--json'], bare, 30_000);
      expect(pre.code).toBe(0);
      expect(pre.json).toMatchObject({ ok: true, llm: { local: true, model: 'gemma-3-270m-q4_k_m', endpoint: null } });
      const direct = await run(process.execPath, [BIN, 'up', '--llm', 'endpoint', '--json'], bare, 30_000);
      expect(direct.code).toBe(1);
      expect(direct.json).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', details: { reason: 'no_llm_endpoint' } } });
      expect(direct.json.error.message).toMatch(/OPENAI_API_KEY[\s\S]*OPENAI_BASE_URL[\s\S]*--llm local/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
