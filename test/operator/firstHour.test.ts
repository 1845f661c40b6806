/**
 * The first hour of a new user (issue 16), driven from outside like a person with two shells: the
 * first runs `ecology up` on non-default ports and a data folder of its own; the second has none of
 * the connection variables and must still find that world. Then the things that used to be
 * invisible: an LLM endpoint that cannot be reached, and a world with no worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlm, type FakeLlm } from '../support/fakeLlm';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { BIN, DevServer, exited, freePort, ROOT, run, waitFor, type Run } from './support';

jest.setTimeout(300_000);

const AGENTS = ['fh10', 'fh2', 'fh1'];
let dir: string;
let dataDir: string;
let db: TestDatabase;
let fake: FakeLlm;
let temporal: DevServer;
let uiPort: number;
let firstShell: NodeJS.ProcessEnv;
let secondShell: NodeJS.ProcessEnv;
let up: { child: ChildProcess; out: string; err: string } | null = null;

/** A shell that has none of the connection variables the first one had. */
function bareEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'ECOLOGY_DB', 'ECOLOGY_PG_PORT', 'ECOLOGY_TEMPORAL_PORT', 'ECOLOGY_TEMPORAL_UI_PORT', 'TEMPORAL_UI_URL']) delete env[k];
  return env;
}

const second = (...args: string[]): Promise<Run> => run(process.execPath, [BIN, ...args], secondShell);

async function startUp(extra: NodeJS.ProcessEnv = {}): Promise<any> {
  const child = spawn(process.execPath, [BIN, 'up', '--json', '--follow'], { cwd: ROOT, env: { ...firstShell, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    180_000,
  );
}

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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ecology-first-hour-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  db = await createTestDatabase({ migrate: false });
  fake = await startFakeLlm({ responder: () => ({ content: '{"action":"noop"}' }) });
  temporal = new DevServer(await freePort(), join(dir, 'temporal.db'));
  await temporal.start();
  uiPort = await freePort();
  const configFile = join(dir, 'ecology.config.json');
  // The default quotas (the throttle a new user meets); only the periods are shortened.
  writeFileSync(
    configFile,
    JSON.stringify({
      agents: { errorBackoffSeconds: 2, workerShutdownGraceMs: 1000 },
      dashboard: { port: 0 },
      ecology: {
        summaryRefreshSeconds: 1,
        workerPollStaleMs: 3000,
        initialAgents: AGENTS.map((id) => ({ id, system_prompt: null, model: null, scrip: 100, compute: 5000 })),
      },
    }),
  );
  firstShell = {
    ...process.env,
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    OPENAI_BASE_URL: fake.baseUrl,
    OPENAI_API_KEY: 'fake-key',
    ECOLOGY_CONFIG: configFile,
    ECOLOGY_DATA_DIR: dataDir,
    ECOLOGY_TEMPORAL_UI_PORT: String(uiPort),
  };
  secondShell = { ...bareEnv(), ECOLOGY_CONFIG: configFile, ECOLOGY_DATA_DIR: dataDir };
}, 120_000);

afterAll(async () => {
  await stopUp().catch(() => undefined);
  await temporal?.stop().catch(() => undefined);
  await fake?.close().catch(() => undefined);
  await db?.drop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a world on non-default ports, watched from a second shell', () => {
  it('up --preflight sends the endpoint one real request, and names it when it cannot be reached', async () => {
    const before = fake.calls.length;
    const ok = await run(process.execPath, [BIN, 'up', '--preflight', '--json'], firstShell);
    expect(ok.code).toBe(0);
    expect(fake.calls.length).toBe(before + 1);
    const closed = `http://127.0.0.1:${await freePort()}/v1`;
    const bad = await run(process.execPath, [BIN, 'up', '--preflight'], { ...firstShell, OPENAI_BASE_URL: closed });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(closed);
  });

  it('every command of the second shell finds the world up started (the world file in the data folder)', async () => {
    const ready = await startUp();
    expect(ready.world_file).toBe(join(dataDir, 'world.json'));
    expect(JSON.parse(readFileSync(ready.world_file, 'utf8')).config.temporal.address).toBe(temporal.address);
    const agents = await second('agents', '--json');
    expect(agents.code).toBe(0);
    expect(agents.json.agents.map((a: { id: string }) => a.id)).toEqual(['fh1', 'fh2', 'fh10']);
    const summary = await second('summary', '--json');
    expect(summary.code).toBe(0);
    expect(summary.json.summary.status).toBe('running');
    // Text tables have a header and sort ids naturally.
    const text = await second('agents');
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^AGENT\s+ITER\s+SCRIP\s+COMPUTE\s+LLM_TOKENS/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['fh1', 'fh2', 'fh10']);
  });

  it('the port variables lead to the same world, and connection errors name the server and where its address came from', async () => {
    const noWorldFile = join(dir, 'elsewhere');
    mkdirSync(noWorldFile, { recursive: true });
    const byPort = await run(process.execPath, [BIN, 'summary', '--json'], { ...secondShell, ECOLOGY_DATA_DIR: noWorldFile, DATABASE_URL: db.url, ECOLOGY_TEMPORAL_PORT: String(temporal.port) });
    expect(byPort.code).toBe(0);
    const closedPort = await freePort();
    const wrong = await run(process.execPath, [BIN, 'summary', '--json'], { ...secondShell, ECOLOGY_TEMPORAL_PORT: String(closedPort) });
    expect(wrong.code).toBe(1);
    expect(wrong.json.error.message).toContain(`127.0.0.1:${closedPort}`);
    expect(wrong.json.error.message).toContain('ECOLOGY_TEMPORAL_PORT');
    // A database without the tables: the advice names which database it is.
    const empty = await createTestDatabase({ migrate: false });
    try {
      const r = await run(process.execPath, [BIN, 'agents', '--json'], { ...secondShell, DATABASE_URL: empty.url });
      expect(r.json.error.code).toBe('NOT_MIGRATED');
      expect(r.json.error.message).toContain(new URL(empty.url).pathname.slice(1));
      expect(r.json.error.message).toContain('DATABASE_URL');
    } finally {
      await empty.drop();
    }
  });

  it('the dashboard links agents to the configured Temporal UI address', async () => {
    const world = JSON.parse(readFileSync(join(dataDir, 'world.json'), 'utf8'));
    const agents = (await (await fetch(`${world.dashboard_url.replace(/\/$/, '')}/api/agents`)).json()) as Array<{ id: string; workflow_url: string }>;
    expect(agents.length).toBe(3);
    for (const a of agents) expect(a.workflow_url).toBe(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/agent-${a.id}`);
  });

  it('with the default quotas every agent acts within the first minute; waiting for its bucket shows as refilling', async () => {
    await waitFor(
      'every agent to act and wait for its token bucket',
      async () => {
        const r = await second('agents', '--json');
        const rows = r.json.agents as Array<{ iteration: number | null; status: string }>;
        return rows.every((a) => (a.iteration ?? 0) >= 1) && rows.some((a) => a.status === 'refilling');
      },
      60_000,
      1000,
    );
    const r = await second('agents', '--json');
    expect(r.json.agents.map((a: { status: string }) => a.status)).not.toContain('frozen-in-debt');
    // up --follow printed a line per action.
    const actions = up!.out.split('\n').filter((l) => l.includes('"event":"action"')).map((l) => JSON.parse(l).action.agent_id);
    expect(new Set(actions)).toEqual(new Set(AGENTS));
  });

  it('with no worker, summary and agents say so', async () => {
    expect(await stopUp()).toBe(0);
    const summary = await waitFor(
      'summary to say no worker serves the queue',
      async () => {
        const r = await second('summary', '--json');
        return r.code !== 0 && /No worker is serving task queue ecology/.test(r.json?.error?.message ?? '') ? r : undefined;
      },
      60_000,
      1000,
    );
    expect(summary.json.error.message).toContain(temporal.address);
    const agents = await second('agents', '--json');
    expect(agents.code).toBe(0);
    for (const a of agents.json.agents) {
      expect(a.status).toBe('unknown');
      expect(a.detail).toMatch(/^No worker is serving task queue ecology/);
    }
  });

  it('an LLM endpoint that cannot be reached shows as think-failing, naming the URL, within a minute', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/v1`;
    await startUp({ OPENAI_BASE_URL: closed });
    const rows = await waitFor(
      'agents to show think-failing',
      async () => {
        const r = await second('agents', '--json');
        const all = r.json.agents as Array<{ status: string; detail: string | null }>;
        return all.some((a) => a.status === 'think-failing') ? all : undefined;
      },
      60_000,
      1000,
    );
    const failing = rows.find((a) => a.status === 'think-failing')!;
    expect(failing.detail).toContain(`cannot reach ${closed}`);
    const text = await second('agents');
    expect(text.stdout).toContain(`think-failing: cannot reach ${closed}`);
    const summary = await waitFor(
      'summary to list the failing think',
      async () => {
        const r = await second('summary');
        return r.code === 0 && r.stdout.includes(`think-failing: cannot reach ${closed}`) ? r : undefined;
      },
      30_000,
      1000,
    );
    expect(summary.stdout).toMatch(/think-failing/);
    const world = JSON.parse(readFileSync(join(dataDir, 'world.json'), 'utf8'));
    const dash = (await (await fetch(`${world.dashboard_url.replace(/\/$/, '')}/api/agents`)).json()) as Array<{ state: { status: string; detail?: string } }>;
    expect(dash.some((a) => a.state.status === 'think-failing' && (a.state.detail ?? '').includes(closed))).toBe(true);
    // One JSON line per failure in the up log (its error a short text, no stack trace), no warning for the idle sandbox queue.
    const lines = up!.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = lines.find((l) => l.msg === 'Activity failed' && l.activityType === 'agentThink');
    expect(failed).toMatchObject({ level: 'warn', workflowId: expect.stringMatching(/^agent-fh\d+$/), activityId: expect.any(String), error: expect.stringMatching(/^cannot reach/) });
    expect(failed!.error).not.toMatch(/\n\s+at /);
    expect(up!.err).not.toContain('No workflows registered');
  });
});
