/**
 * The run command on a warm machine (dependencies installed, services up, the workflow bundle of
 * this code cached by an earlier start), with a fake LLM that answers at once:
 *
 * 1. Start: `bash scripts/run.sh` (what `npm start` runs) until the first agent action is stored
 *    (agent_actions.acted_at), for a fresh world each time (new database, new Temporal dev server
 *    with its own SQLite file, both made before the clock starts). Also: until `up` says ready.
 * 2. Resume: Ctrl-C, then the run command again on the same world, until the next new action.
 * 3. Memory: that world's `up` process (worker, relay, dashboard in one process) with --agents
 *    agents (default 20) acting for --seconds (default 600): its RSS from /proc, sampled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cachedWorkflowBundle } from '../src/ecology/workflowBundle';
import { DevServer, exited, freePort } from '../test/operator/support';
import { startFakeLlm, type ChatRequestBody, type FakeLlm, type FakeReply } from '../test/support/fakeLlm';
import { createTestDatabase, type TestDatabase } from '../test/support/testDb';
import { loadConfig } from '../src/config/load';
import { processLogger } from '../src/log/logger';
import type { BenchOptions, BenchReport, Benchmark, ScenarioResult } from './support/types';

const ROOT = join(__dirname, '..');
const DEFAULT_AGENTS = 20;
const DEFAULT_TRIALS = 3;
const RSS_SAMPLE_MS = 5_000;
const POLL_MS = 25;
const MB = 1024 * 1024;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const r1 = (x: number): number => Math.round(x * 10) / 10;

/** Agents read the ledger, then sleep a few seconds, forever; the oracle's scorer gets a score. */
function reply(body: ChatRequestBody, index: number): FakeReply {
  if (body.response_format?.json_schema?.name === 'oracle_score') return { content: '{"score": 50, "reason": "ok"}' };
  return { content: index % 2 === 0 ? '{"action":"read_artifact","id":"genesis_ledger"}' : '{"action":"sleep","seconds":3}' };
}

function rssBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

interface World {
  db: TestDatabase;
  temporal: DevServer;
  env: NodeJS.ProcessEnv;
  dir: string;
}

async function newWorld(fake: FakeLlm, agents: number, base: NodeJS.ProcessEnv): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'ecology-bench-startup-'));
  const db = await createTestDatabase({ migrate: false });
  const temporal = new DevServer(await freePort(), join(dir, 'temporal.db'));
  await temporal.start();
  const configFile = join(dir, 'ecology.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      quotas: { operatorPrincipal: { llm_token_rate: 1_000_000, llm_token_capacity: 10_000_000 } },
      // The fake answers at once; the default provider limits (200k tokens a minute) would make the
      // agents wait on the shared rate limit instead of acting at the pace of their sleeps.
      llm: { tokensPerMinute: 100_000_000, requestsPerMinute: 100_000 },
      dashboard: { port: 0 },
      ecology: { initialAgents: Array.from({ length: agents }, (_, i) => ({ id: `agent_${String(i).padStart(2, '0')}`, system_prompt: null, model: null, scrip: 100, compute: 5000 })) },
    }),
  );
  const env = { ...base, DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address, OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'fake-key', ECOLOGY_CONFIG: configFile };
  return { db, temporal, env, dir };
}

async function dropWorld(w: World): Promise<void> {
  await w.temporal.stop().catch(() => undefined);
  await w.db.drop().catch(() => undefined);
  rmSync(w.dir, { recursive: true, force: true });
}

interface Running {
  child: ChildProcess;
  out: string;
  err: string;
}

function runCommand(env: NodeJS.ProcessEnv): Running {
  const child = spawn('bash', [join(ROOT, 'scripts', 'run.sh'), '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const r: Running = { child, out: '', err: '' };
  child.stdout!.on('data', (d: Buffer) => (r.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (r.err += d.toString()));
  return r;
}

async function stop(r: Running): Promise<void> {
  r.child.kill('SIGINT');
  const killer = setTimeout(() => r.child.kill('SIGKILL'), 60_000);
  await exited(r.child);
  clearTimeout(killer);
}

/** Milliseconds from `t0` until `probe` holds, polling; fails after two minutes or if `r` exits. */
async function until(t0: number, r: Running, what: string, probe: () => Promise<boolean> | boolean): Promise<number> {
  for (;;) {
    if (await probe()) return performance.now() - t0;
    if (r.child.exitCode !== null) throw new Error(`the run command exited (${r.child.exitCode}) before ${what}: ${r.err.slice(-3000)}`);
    if (performance.now() - t0 > 120_000) throw new Error(`no ${what} within 120 s: ${r.err.slice(-3000)}`);
    await sleep(POLL_MS);
  }
}

/** Acted iterations so far; 0 while `up` has not migrated the new database yet. */
async function actedCount(w: World): Promise<number> {
  try {
    return Number((await w.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM agent_actions WHERE acted_at IS NOT NULL')).rows[0]!.n);
  } catch (e) {
    if ((e as { code?: string }).code === '42P01') return 0;
    throw e;
  }
}

async function timedStart(w: World, after: number): Promise<{ running: Running; firstAction: number; ready: number }> {
  const t0 = performance.now();
  const running = runCommand(w.env);
  const firstAction = await until(t0, running, 'agent action', async () => (await actedCount(w)) > after);
  const ready = await until(t0, running, "up's ready line", () => running.out.includes('"event":"ready"'));
  return { running, firstAction, ready };
}

export const startupBenchmark: Benchmark = {
  description:
    'The run command (`bash scripts/run.sh`, what `npm start` runs) on a warm machine: time to the first agent action for a fresh world and after a restart, and the memory of the `up` process (worker, relay and dashboard in one process) with 20 agents acting against a fake LLM that answers at once.',
  options: ['agents', 'trials'],
  defaultSeconds: 600,
  async run(opts: BenchOptions): Promise<BenchReport> {
    const agents = Number(opts.options?.agents ?? DEFAULT_AGENTS);
    const trials = Number(opts.options?.trials ?? DEFAULT_TRIALS);
    if (!Number.isInteger(agents) || agents < 1 || !Number.isInteger(trials) || trials < 1) throw new Error('--agents and --trials must be positive whole numbers');
    process.env.DATABASE_URL ??= loadConfig().database.url;
    const base: NodeJS.ProcessEnv = { ...process.env };
    delete base.ECOLOGY_CONFIG;
    // A warm machine has started this code before: the workflow bundle is cached.
    await cachedWorkflowBundle({ dir: join(process.env.ECOLOGY_DATA_DIR ?? join(ROOT, '.data')), logger: processLogger() });
    const fake = await startFakeLlm({ responder: reply });
    const results: ScenarioResult[] = [];
    const firsts: number[] = [];
    const readies: number[] = [];
    let world: World | null = null;
    let running: Running | null = null;
    try {
      for (let t = 0; t < trials; t++) {
        if (running) await stop(running);
        if (world) await dropWorld(world);
        world = await newWorld(fake, agents, base);
        opts.log(`trial ${t + 1}/${trials}: run command -> first agent action (fresh world, ${agents} agents)`);
        const s = await timedStart(world, 0);
        running = s.running;
        firsts.push(s.firstAction);
        readies.push(s.ready);
        opts.log(`  first action after ${Math.round(s.firstAction)} ms, ready after ${Math.round(s.ready)} ms`);
      }
      results.push({
        name: 'run command -> first agent action, fresh world',
        ops: trials,
        ops_per_s: NaN,
        p50_ms: median(firsts),
        p99_ms: Math.max(...firsts),
        figures: { min_ms: Math.round(Math.min(...firsts)), ready_line_p50_ms: Math.round(median(readies)), agents },
      });

      opts.log('resume: Ctrl-C, then the run command again on the same world');
      await stop(running!);
      const before = await actedCount(world!);
      const resumed = await timedStart(world!, before);
      running = resumed.running;
      results.push({ name: 'run command -> next agent action, resumed world', ops: 1, ops_per_s: NaN, p50_ms: resumed.firstAction, p99_ms: resumed.firstAction, figures: { ready_line_ms: Math.round(resumed.ready) } });

      const pid = running.child.pid!;
      opts.log(`memory: ${agents} agents for ${opts.seconds} s; sampling the RSS of pid ${pid} every ${RSS_SAMPLE_MS / 1000} s`);
      const samples: number[] = [];
      const acted0 = await actedCount(world!);
      const t0 = performance.now();
      while (performance.now() - t0 < opts.seconds * 1000) {
        const rss = rssBytes(pid);
        if (rss === null) throw new Error(`the up process ${pid} is gone: ${running.err.slice(-3000)}`);
        samples.push(rss);
        await sleep(Math.min(RSS_SAMPLE_MS, Math.max(0, opts.seconds * 1000 - (performance.now() - t0))));
      }
      const end = rssBytes(pid) ?? samples[samples.length - 1]!;
      const elapsed = (performance.now() - t0) / 1000;
      const acted = (await actedCount(world!)) - acted0;
      results.push({
        name: `up process RSS after ${Math.round(elapsed)} s with ${agents} agents`,
        ops: acted,
        ops_per_s: acted / elapsed,
        figures: { rss_mb_end: r1(end / MB), rss_mb_first_sample: r1(samples[0]! / MB), rss_mb_max: r1(Math.max(...samples, end) / MB), samples: samples.length },
      });
    } finally {
      if (running) await stop(running).catch(() => undefined);
      if (world) await dropWorld(world);
      await fake.close();
    }
    return {
      results,
      notes: [
        'Set-up before each timed start, not timed: a new database and a new Temporal dev server (its own SQLite file), so each start bootstraps a new world; the shared services stay up as on a warm machine, and the workflow bundle of this code is already cached in `.data/`.',
        '',
        'Timed from spawning `bash scripts/run.sh --json` (LLM check, `scripts/services.sh` checking dependencies and Docker, then `ecology up`: migrations, genesis, treasury, agents, schedules, worker start, `ecologyWorkflow` starting each agent) until the first row of `agent_actions` with `acted_at` set (polled every 25 ms), so one readiness check, one prompt, one LLM call (answered at once) and one act are included. `ready` is when `up` printed its ready line (it waits for the root to finish bootstrapping).',
        '',
        'ops/s of the memory row: agent actions per second in the window (each agent reads the ledger, then sleeps 3 s; the system-wide LLM rate limit is raised for the fake, so it is not what paces them). RSS is the whole `up` process: Temporal worker (Rust core and V8 workflow isolates), event relay, dashboard, PostgreSQL pool.',
      ].join('\n'),
    };
  },
};
