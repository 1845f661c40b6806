/**
 * Agents as workflows (issue 3), on the local Temporal dev server with the real worker in a child
 * process (benchWorker.ts, as `ecology worker` runs it) and a fake LLM that answers at once:
 *
 * 1. Throughput: N agents (--agents, default 100) answering `noop` for --seconds (default 30).
 *    Iterations per second are agent_actions rows acted on in the window; each iteration's time is
 *    the time between its act and the previous act of the same agent (readiness, prompt, LLM call,
 *    act and every Temporal round trip between them); its orchestration overhead is that time minus
 *    the LLM time recorded in llm_calls.latency_ms. Baseline: Temporal's floor, N bare workflows
 *    each doing the loop's steps per iteration as no-ops (LOOP_STEPS), same worker options.
 * 2. Wake latency: the agents asleep (`sleep {seconds: 3600}`); `wake` signals sent through the
 *    Temporal client one at a time, then in bursts; latency from the signal being sent to the fake
 *    LLM receiving the agent's next think (matched by the prompt's `Agent: <id>` line).
 * 3. Memory: a fresh worker process with 1,000 agents asleep for an hour: its RSS and heap.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { agentWorkflowId } from '../src/agents/types';
import { createOperatorPrincipal } from '../src/artifacts/operator';
import { deepMerge, loadConfig } from '../src/config/load';
import type { EcologyConfig } from '../src/config/schema';
import { bootstrapGenesis } from '../src/genesis/bootstrap';
import { startAgentWorkflow } from '../src/temporal/agentWorkflows';
import { readWorldId } from '../src/world/identity';
import { connectClient } from '../src/temporal/connection';
import { workflowBundle } from '../test/agents/support/bundle';
import { NOOP_ACTION, fakeLlmOverrides, startFakeLlm, type FakeLlm } from '../test/support/fakeLlm';
import { ChildWorker } from './support/childWorker';
import { ownCpuMs } from './support/cpu';
import { createBenchDatabase, serverVersion } from './support/db';
import { quantile } from './support/measure';
import { findProcess, processCpuMs, trackPostgresCpu } from './support/proc';
import type { WorkerStats } from './support/benchWorker';
import type { FloorInput } from './support/floorWorkflow';
import type { BenchOptions, BenchReport, Benchmark, ScenarioResult } from './support/types';
import { wakeSignal } from '../src/agents/signals';

const DEFAULT_AGENTS = 100;
const SLEEPERS = 1_000;
const SEQUENTIAL_WAKES = 100;
const BURSTS = 10;
const BURST_SIZE = 10;
/**
 * What a noop agent's iteration asks of Temporal, in order: readiness and act as local activities
 * (inside a workflow task), think as an activity (workflows/agent.ts).
 */
const LOOP_STEPS: FloorInput['steps'] = ['local', 'activity', 'local'];
const WARMUP_SECONDS = 5;
const CONCURRENCY = 16;
const TARGETS = { iterationsPerSecond: 40, wakeP99Ms: 500, sleepingRssMb: 300 };
const SLEEP_HOUR = JSON.stringify({ action: 'sleep', seconds: 3600 });
const MB = 1024 * 1024;
const SETTLE_SAMPLES = 8;
const SETTLE_INTERVAL_MS = 5000;

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Runs `fn` over `items`, at most `n` at a time. */
async function inParallel<T>(items: T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** The fake LLM's side: what each agent answers, and who is waiting for an agent's next think. */
class Llm {
  readonly noop = new Set<string>();
  private waiters = new Map<string, (at: number) => void>();

  constructor(readonly fake: FakeLlm) {
    fake.respond((body) => {
      const at = Date.now();
      fake.calls.length = 0; // the benchmark keeps no request bodies
      // The `Agent:` line ends the system message (the stable prompt), not the user message.
      const text = body.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
      const id = /^Agent: (.+)$/m.exec(text)?.[1];
      if (id) {
        this.waiters.get(id)?.(at);
        this.waiters.delete(id);
      }
      return { content: id && this.noop.has(id) ? NOOP_ACTION : SLEEP_HOUR };
    });
  }

  /** When the next think of `agentId` reaches the LLM (Date.now() of its arrival). */
  nextThink(agentId: string, timeoutMs = 60_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(agentId);
        reject(new Error(`no think of ${agentId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(agentId, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

interface World {
  pool: Pool;
  config: EcologyConfig;
  configFile: string;
  bundleFile: string;
  client: Client;
  llm: Llm;
  tag: string;
  /** Workflow ids started, terminated at the end whatever happens. */
  started: Set<string>;
  log: (line: string) => void;
}

/**
 * CPU used over a window by each process that serves an iteration: the worker, PostgreSQL (this
 * database's backends), the Temporal dev server (the whole process: anything else using it counts
 * too) and this process (the fake LLM). `stop` gives ms per iteration.
 */
async function cpuWindow(w: World, worker: ChildWorker, temporalPid: number | null): Promise<{ stop(iterations: number): Promise<Record<string, number>> }> {
  const worker0 = (await worker.stats()).cpuMs;
  const temporal0 = temporalPid === null ? null : processCpuMs(temporalPid);
  const bench0 = ownCpuMs();
  const postgres = trackPostgresCpu(w.pool);
  return {
    async stop(n) {
      const out: Record<string, number> = { worker_cpu_ms: r3(((await worker.stats()).cpuMs - worker0) / n) };
      out.postgres_cpu_ms = r3((await postgres.stop()) / n);
      const temporal1 = temporalPid === null ? null : processCpuMs(temporalPid);
      if (temporal0 !== null && temporal1 !== null) out.temporal_cpu_ms = r3((temporal1 - temporal0) / n);
      out.fake_llm_cpu_ms = r3((ownCpuMs() - bench0) / n);
      return out;
    },
  };
}

function workerEnv(w: World, extra: Record<string, string> = {}): Record<string, string> {
  return { ECOLOGY_CONFIG: w.configFile, ECOLOGY_WORKFLOW_BUNDLE: w.bundleFile, ...extra };
}

async function terminate(w: World, ids: string[]): Promise<void> {
  await inParallel(ids, CONCURRENCY, async (id) => {
    await w.client.workflow.getHandle(id).terminate('benchmark over').catch(() => undefined);
    w.started.delete(id);
  });
}

async function createAgents(w: World, ids: string[]): Promise<void> {
  await inParallel(ids, CONCURRENCY, (id) => createOperatorPrincipal(w.pool, w.config, { id, kind: 'agent', scrip: 1000, compute: 1_000_000_000, content: {} }));
}

async function startAgents(w: World, ids: string[]): Promise<void> {
  const world = await readWorldId(w.pool);
  await inParallel(ids, CONCURRENCY, async (id) => {
    w.started.add(agentWorkflowId(id));
    await startAgentWorkflow(w.client, w.config, id, world);
  });
}

/** Waits until every agent's latest iteration is a finished sleep and the worker has nothing in flight. */
async function untilAllAsleep(w: World, worker: ChildWorker, ids: string[], timeoutMs: number): Promise<number> {
  const began = Date.now();
  let settled = 0;
  for (;;) {
    const r = await w.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT DISTINCT ON (agent_id) action_type, status FROM agent_actions WHERE agent_id = ANY($1) ORDER BY agent_id, iteration DESC) x
       WHERE action_type = 'sleep' AND status = 'done'`,
      [ids],
    );
    const s = r.rows[0].n === ids.length ? (await worker.stats()).status : undefined;
    // twice in a row idle: the workflow tasks that start the sleep timers are done too
    settled = s && s.numInFlightWorkflowActivations === 0 && s.numInFlightActivities === 0 ? settled + 1 : 0;
    if (settled >= 2) return Date.now() - began;
    if (Date.now() - began > timeoutMs) throw new Error(`only ${r.rows[0].n} of ${ids.length} agents asleep after ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function dbNow(pool: Pool): Promise<number> {
  return (await pool.query<{ ms: number }>('SELECT extract(epoch FROM clock_timestamp())::float8 * 1000 AS ms')).rows[0].ms;
}

async function transactions(pool: Pool): Promise<number> {
  return (await pool.query<{ n: number }>('SELECT (xact_commit + xact_rollback)::float8 AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0].n;
}

interface Window {
  iterations: number;
  perSecond: number;
  /** Per-iteration times (ms) of iterations whose predecessor is known. */
  cycles: number[];
  cpu: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// 1a. Temporal's floor

async function floor(w: World, n: number, seconds: number, temporalPid: number | null): Promise<Window> {
  const taskQueue = `bench-floor-${w.tag}`;
  w.log(`floor: ${n} bare workflows doing ${LOOP_STEPS.join(', ')} per iteration (bundling the floor workflow)`);
  const worker = await ChildWorker.start(workerEnv(w, { BENCH_WORKER_MODE: 'floor', BENCH_TASK_QUEUE: taskQueue }));
  const ids = Array.from({ length: n }, (_, i) => `bench-floor-${w.tag}-${i}`);
  try {
    await inParallel(ids, CONCURRENCY, async (workflowId) => {
      w.started.add(workflowId);
      await w.client.workflow.start('floorWorkflow', {
        taskQueue,
        workflowId,
        args: [{ steps: LOOP_STEPS, startToCloseTimeoutMs: w.config.agents.activities.timeoutMs } satisfies FloorInput],
      });
    });
    await sleep(WARMUP_SECONDS * 1000);
    const before = await worker.floorDone();
    const last = new Map<string, number>();
    for (const d of before) last.set(d.workflowId, d.at);
    const t0 = Date.now();
    const cpu = await cpuWindow(w, worker, temporalPid);
    await sleep(seconds * 1000);
    const t1 = Date.now();
    const done = await worker.floorDone();
    const cycles: number[] = [];
    let iterations = 0;
    for (const d of done) {
      const prev = last.get(d.workflowId);
      last.set(d.workflowId, d.at);
      if (d.at < t0 || d.at >= t1) continue;
      iterations++;
      if (prev !== undefined) cycles.push(d.at - prev);
    }
    const perSecond = iterations / ((t1 - t0) / 1000);
    w.log(`floor: ${iterations} iterations in ${seconds}s = ${perSecond.toFixed(1)}/s`);
    return { iterations, perSecond, cycles, cpu: await cpu.stop(iterations) };
  } finally {
    await terminate(w, ids);
    await worker.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 1b. Agent iterations

interface IterationRow {
  agent_id: string;
  iteration: number;
  created_ms: number;
  thought_ms: number;
  acted_ms: number;
  latency_ms: number | null;
}

interface AgentWindow extends Window {
  overheads: number[];
  llm: number[];
  phases: { beforeThink: number[]; think: number[]; act: number[] };
  transactionsPerIteration: number;
  /** 1-minute load average of the machine when the window began. */
  loadAverage: number;
}

async function iterations(w: World, worker: ChildWorker, ids: string[], seconds: number, temporalPid: number | null): Promise<AgentWindow> {
  for (const id of ids) w.llm.noop.add(id);
  await startAgents(w, ids);
  w.log(`agents: ${ids.length} started, ${WARMUP_SECONDS}s warm-up, then ${seconds}s measured`);
  await sleep(WARMUP_SECONDS * 1000);
  const loadAverage = loadavg()[0];
  const t0 = await dbNow(w.pool);
  const x0 = await transactions(w.pool);
  const cpu = await cpuWindow(w, worker, temporalPid);
  await sleep(seconds * 1000);
  const t1 = await dbNow(w.pool);
  const x1 = await transactions(w.pool);
  for (const id of ids) w.llm.noop.delete(id);

  const rows = (
    await w.pool.query<IterationRow>(
      `SELECT a.agent_id, a.iteration::int AS iteration,
              extract(epoch FROM a.created_at)::float8 * 1000 AS created_ms,
              extract(epoch FROM a.thought_at)::float8 * 1000 AS thought_ms,
              extract(epoch FROM a.acted_at)::float8 * 1000 AS acted_ms,
              l.latency_ms
       FROM agent_actions a LEFT JOIN llm_calls l ON l.key = a.llm_key
       WHERE a.agent_id = ANY($1) AND a.acted_at IS NOT NULL AND a.action_type = 'noop'
       ORDER BY a.agent_id, a.iteration`,
      [ids],
    )
  ).rows;
  const out: AgentWindow = { iterations: 0, perSecond: 0, cycles: [], cpu: {}, overheads: [], llm: [], phases: { beforeThink: [], think: [], act: [] }, transactionsPerIteration: 0, loadAverage };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row.acted_ms < t0 || row.acted_ms >= t1) continue;
    out.iterations++;
    const prev = rows[i - 1];
    if (!prev || prev.agent_id !== row.agent_id || prev.iteration !== row.iteration - 1) continue;
    const cycle = row.acted_ms - prev.acted_ms;
    out.cycles.push(cycle);
    out.llm.push(row.latency_ms ?? 0);
    out.overheads.push(cycle - (row.latency_ms ?? 0));
    out.phases.beforeThink.push(row.created_ms - prev.acted_ms);
    out.phases.think.push(row.thought_ms - row.created_ms);
    out.phases.act.push(row.acted_ms - row.thought_ms);
  }
  out.perSecond = out.iterations / ((t1 - t0) / 1000);
  out.cpu = await cpu.stop(out.iterations);
  out.transactionsPerIteration = (x1 - x0) / out.iterations;
  w.log(`agents: ${out.iterations} iterations in ${seconds}s = ${out.perSecond.toFixed(1)}/s; CPU ms/iteration ${JSON.stringify(out.cpu)}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. Wake latency

async function wakeOne(w: World, agentId: string): Promise<number> {
  const thought = w.llm.nextThink(agentId);
  const sent = Date.now();
  await w.client.workflow.getHandle(agentWorkflowId(agentId)).signal(wakeSignal);
  return (await thought) - sent;
}

async function wakes(w: World, worker: ChildWorker, ids: string[]): Promise<{ sequential: number[]; bursts: number[] }> {
  const sequential: number[] = [];
  for (let k = 0; k < SEQUENTIAL_WAKES; k++) {
    sequential.push(await wakeOne(w, ids[k % ids.length]));
    await untilAllAsleep(w, worker, ids, 60_000);
  }
  w.log(`wake, one at a time: p50 ${quantile(sorted(sequential), 0.5).toFixed(0)} ms, p99 ${quantile(sorted(sequential), 0.99).toFixed(0)} ms`);
  const bursts: number[] = [];
  for (let b = 0; b < BURSTS; b++) {
    const group = Array.from({ length: BURST_SIZE }, (_, i) => ids[(b * BURST_SIZE + i) % ids.length]);
    bursts.push(...(await Promise.all(group.map((id) => wakeOne(w, id)))));
    await untilAllAsleep(w, worker, ids, 60_000);
  }
  w.log(`wake, ${BURST_SIZE} at once: p50 ${quantile(sorted(bursts), 0.5).toFixed(0)} ms, p99 ${quantile(sorted(bursts), 0.99).toFixed(0)} ms`);
  return { sequential, bursts };
}

// ---------------------------------------------------------------------------------------------
// 3. Memory with 1,000 sleeping agents

interface MemoryFigures {
  idleRssMb: number;
  rssMb: number;
  hwmMb: number;
  heapUsedMb: number;
  cachedWorkflows: number;
  asleepAfterMs: number;
}

/**
 * The worker's memory once it has settled: V8 gives memory back some seconds after the work stops
 * (its memory reducer), so RSS is sampled every few seconds until two samples agree within 2%.
 */
async function settledMemory(worker: ChildWorker): Promise<WorkerStats> {
  let last = await worker.stats(true);
  for (let i = 0; i < SETTLE_SAMPLES; i++) {
    await sleep(SETTLE_INTERVAL_MS);
    const next = await worker.stats(true);
    const stable = Math.abs(next.rss - last.rss) / last.rss < 0.02;
    last = next;
    if (stable) break;
  }
  return last;
}

async function memory(w: World, ids: string[]): Promise<MemoryFigures> {
  const worker = await ChildWorker.start(workerEnv(w));
  try {
    await sleep(2000);
    const idle = await worker.stats(true);
    w.log(`memory: idle worker RSS ${(idle.rss / MB).toFixed(0)} MB; starting ${ids.length} agents that sleep for an hour`);
    await startAgents(w, ids);
    const asleepAfterMs = await untilAllAsleep(w, worker, ids, 600_000);
    const s = await settledMemory(worker);
    w.log(`memory: ${ids.length} asleep after ${(asleepAfterMs / 1000).toFixed(1)}s; RSS ${(s.rss / MB).toFixed(0)} MB, heap used ${(s.heapUsed / MB).toFixed(0)} MB, ${s.status.numCachedWorkflows} workflows cached`);
    return {
      idleRssMb: idle.rss / MB,
      rssMb: s.rss / MB,
      hwmMb: s.vmHwm / MB,
      heapUsedMb: s.heapUsed / MB,
      cachedWorkflows: s.status.numCachedWorkflows,
      asleepAfterMs,
    };
  } finally {
    await terminate(w, ids.map(agentWorkflowId));
    await worker.stop();
  }
}

// ---------------------------------------------------------------------------------------------

function latencyResult(name: string, samples: number[], extra: Partial<ScenarioResult> = {}): ScenarioResult {
  const s = sorted(samples);
  const p99 = quantile(s, 0.99);
  return {
    name,
    ops: s.length,
    ops_per_s: NaN,
    p50_ms: r1(quantile(s, 0.5)),
    p99_ms: r1(p99),
    target: `p99 < ${TARGETS.wakeP99Ms} ms`,
    target_met: p99 < TARGETS.wakeP99Ms,
    figures: { mean_ms: r1(mean(s)), max_ms: r1(s[s.length - 1]) },
    ...extra,
  };
}

async function run({ seconds, log, options }: BenchOptions): Promise<BenchReport> {
  const agents = Number(options?.agents ?? DEFAULT_AGENTS);
  if (!Number.isInteger(agents) || agents < 1) throw new Error('--agents needs a positive whole number');
  const tag = randomBytes(3).toString('hex');
  const db = await createBenchDatabase();
  const fake = await startFakeLlm();
  const configFile = join(tmpdir(), `ecology-bench-agents-${tag}.json`);
  const started = new Set<string>();
  let client: Client | undefined;
  let worker: ChildWorker | undefined;
  try {
    await bootstrapGenesis(db.pool);
    const config = loadConfig({
      env: {},
      overrides: deepMerge(fakeLlmOverrides(fake, { systemBudgetMicros: 1e15, requestsPerMinute: 1e9, tokensPerMinute: 1e12 }), {
        database: { url: db.url },
        temporal: { taskQueue: `bench-agents-${tag}`, sandboxTaskQueue: `bench-agents-sandbox-${tag}` },
        // Rights no run can exhaust: the benchmark measures the loop, not debt.
        quotas: { operatorPrincipal: { compute_rate: 1e6, compute_capacity: 1e12, llm_token_rate: 1e6, llm_token_capacity: 1e12, disk_bytes: 1048576, llm_dollars: 1e15 } },
      }),
    });
    writeFileSync(configFile, JSON.stringify(config));
    client = await connectClient(config);
    log('bundling the workflows (cached between runs)');
    const bundleFile = (await workflowBundle()).file;
    const w: World = { pool: db.pool, config, configFile, bundleFile, client, llm: new Llm(fake), tag, started, log };
    // The dev server serving the configured address (its CPU per iteration is reported).
    const port = config.temporal.address.split(':').pop() ?? '7233';
    const temporalPid = findProcess(['temporal', 'start-dev', `--port ${port}`]) ?? findProcess(['temporal', 'start-dev']);
    const server = await serverVersion(db.pool);

    const floorWindow = await floor(w, agents, seconds, temporalPid);

    const ids = Array.from({ length: agents }, (_, i) => `ba${tag}_${String(i).padStart(4, '0')}`);
    const sleepers = Array.from({ length: SLEEPERS }, (_, i) => `bs${tag}_${String(i).padStart(4, '0')}`);
    log(`creating ${agents + SLEEPERS} agents`);
    await createAgents(w, [...ids, ...sleepers]);
    await db.pool.query('ANALYZE');

    worker = await ChildWorker.start(workerEnv(w));
    const it = await iterations(w, worker, ids, seconds, temporalPid);
    log('agents: switching them to sleep');
    await untilAllAsleep(w, worker, ids, 120_000);
    const wake = await wakes(w, worker, ids);
    await terminate(w, ids.map(agentWorkflowId));
    await worker.stop();
    worker = undefined;

    const mem = await memory(w, sleepers);

    const cycles = sorted(it.cycles);
    const overheads = sorted(it.overheads);
    const floorCycles = sorted(floorWindow.cycles);
    const littleMs = (agents * 1000) / it.perSecond;
    // What the CPUs of this machine could carry if the benchmark had them to itself.
    const cpuPerIteration = (it.cpu.worker_cpu_ms ?? 0) + (it.cpu.postgres_cpu_ms ?? 0) + (it.cpu.temporal_cpu_ms ?? 0) + (it.cpu.fake_llm_cpu_ms ?? 0);
    const cpuBound = (availableParallelism() * 1000) / cpuPerIteration;
    const results: ScenarioResult[] = [
      {
        name: `agents.iterations.${agents}`,
        ops: it.iterations,
        ops_per_s: r1(it.perSecond),
        baseline_ops_per_s: r1(floorWindow.perSecond),
        ratio: r3(it.perSecond / floorWindow.perSecond),
        p50_ms: r1(quantile(cycles, 0.5)),
        p99_ms: r1(quantile(cycles, 0.99)),
        baseline_p50_ms: r1(quantile(floorCycles, 0.5)),
        baseline_p99_ms: r1(quantile(floorCycles, 0.99)),
        clients: agents,
        seconds,
        target: `>= ${TARGETS.iterationsPerSecond} iterations/s`,
        target_met: it.perSecond >= TARGETS.iterationsPerSecond,
        figures: {
          overhead_mean_ms: r1(littleMs - mean(it.llm)),
          overhead_p50_ms: r1(quantile(overheads, 0.5)),
          overhead_p99_ms: r1(quantile(overheads, 0.99)),
          llm_mean_ms: r1(mean(it.llm)),
          ...it.cpu,
          cpu_bound_per_s: r1(cpuBound),
          load_avg: r1(it.loadAverage),
        },
      },
      latencyResult('agents.wake.one-at-a-time', wake.sequential),
      latencyResult(`agents.wake.${BURST_SIZE}-at-once`, wake.bursts),
      {
        name: `agents.memory.${SLEEPERS}-asleep`,
        ops: SLEEPERS,
        ops_per_s: NaN,
        target: `RSS < ${TARGETS.sleepingRssMb} MB`,
        target_met: mem.rssMb < TARGETS.sleepingRssMb,
        figures: {
          rss_mb: r1(mem.rssMb),
          idle_rss_mb: r1(mem.idleRssMb),
          peak_rss_mb: r1(mem.hwmMb),
          heap_used_mb: r1(mem.heapUsedMb),
          cached_workflows: mem.cachedWorkflows,
        },
      },
    ];
    const ph = it.phases;
    const notes = [
      `Set-up: a fresh database on the local server (${server}), the Temporal dev server at ${config.temporal.address} (shared with whatever else runs on this machine), ` +
        `a fake OpenAI-compatible LLM in the benchmark process answering at once, and the ecology worker in a child process ` +
        `(\`startEcologyWorker\`, as \`ecology worker\` runs it, with the configuration's worker options and MALLOC_ARENA_MAX=2 as scripts/run.sh and the image set it) on a task queue of its own. ` +
        `Agents are made by \`createOperatorPrincipal\` with rights no run can exhaust; workflows are terminated at the end.`,
      '',
      `- **agents.iterations.${agents}**: ${agents} agents whose every think answers \`noop\`, ${WARMUP_SECONDS}s warm-up, then ${seconds}s measured. ` +
        `ops/s = agent_actions rows acted on in the window. An iteration's time (p50/p99) is from the previous act of the same agent to its own act: ` +
        `readiness, prompt, LLM call, act and the Temporal round trips between them. Baseline: Temporal's floor, ${agents} bare workflows each looping ` +
        `over the same no-op steps as the loop's readiness, think and act (${LOOP_STEPS.join(', ')}) with the same worker options, measured first in the same run.`,
      `- Orchestration overhead per iteration = iteration time minus the LLM time in llm_calls.latency_ms (here ${r1(mean(it.llm))} ms on average): ` +
        `p50 ${r1(quantile(overheads, 0.5))} ms, p99 ${r1(quantile(overheads, 0.99))} ms; mean ${r1(littleMs - mean(it.llm))} ms by Little's law ` +
        `(${agents} agents x window / iterations = ${r1(littleMs)} ms per iteration). With ${agents} agents in flight on 2 CPUs this is mostly queueing: ` +
        `the CPU each iteration costs is the figure that limits throughput.`,
      `- Where an iteration's time goes (means): previous act -> prompt stored (act's balances, readiness, think scheduled and started, prompt built) ${r1(mean(ph.beforeThink))} ms; ` +
        `think (budget claim, rate limit, LLM, settlement) ${r1(mean(ph.think))} ms; think -> act done ${r1(mean(ph.act))} ms.`,
      `- CPU per iteration (ms): worker ${it.cpu.worker_cpu_ms}, PostgreSQL ${it.cpu.postgres_cpu_ms ?? '?'}, Temporal dev server ${it.cpu.temporal_cpu_ms ?? '?'} (the whole process: other users of it count too), ` +
        `fake LLM and benchmark ${it.cpu.fake_llm_cpu_ms}; ${r1(cpuPerIteration)} ms in all, so ${availableParallelism()} CPUs to ourselves would carry about ${r1(cpuBound)} iterations/s ` +
        `(cpu_bound_per_s; the 1-minute load average was ${r1(it.loadAverage)} when the window began). The floor: worker ${floorWindow.cpu.worker_cpu_ms}, ` +
        `PostgreSQL ${floorWindow.cpu.postgres_cpu_ms}, Temporal dev server ${floorWindow.cpu.temporal_cpu_ms ?? '?'}. ${r1(it.transactionsPerIteration)} database transactions per iteration (pg_stat_database).`,
      `- **agents.wake**: the ${agents} agents asleep (\`sleep {seconds: 3600}\`); ${SEQUENTIAL_WAKES} \`wake\` signals through the Temporal client one at a time ` +
        `(each agent back asleep before the next), then ${BURSTS} bursts of ${BURST_SIZE} at once. Latency: from just before the signal call to the fake LLM receiving ` +
        `that agent's next think (its prompt's \`Agent:\` line): the signal, a workflow task running readiness (a local activity), the think activity's dispatch, its prompt, the budget claim and rate limit.`,
      `- **agents.memory.${SLEEPERS}-asleep**: a fresh worker process; ${SLEEPERS} agents started, each sleeping for an hour after its first think ` +
        `(all asleep after ${r1(mem.asleepAfterMs / 1000)}s). RSS of the worker process (VmRSS) once settled: sampled every ${SETTLE_INTERVAL_MS / 1000}s after a full GC of its main isolate until two samples agree within 2% (V8 returns memory some seconds after work stops); peak ${r1(mem.hwmMb)} MB (VmHWM), ` +
        `idle before the agents ${r1(mem.idleRssMb)} MB. Workflows cached by the worker: ${mem.cachedWorkflows} (configuration \`worker.maxCachedWorkflows\` ${config.worker.maxCachedWorkflows}).`,
    ].join('\n');
    return { results, notes };
  } finally {
    await worker?.stop().catch(() => undefined);
    if (client) {
      const c = client;
      await inParallel([...started], CONCURRENCY, (id) => c.workflow.getHandle(id).terminate('benchmark over').catch(() => undefined));
      await c.connection.close();
    }
    await fake.close();
    await db.drop();
    try {
      unlinkSync(configFile);
    } catch {
      // never written
    }
  }
}

export const agentsBenchmark: Benchmark = {
  description:
    'Agent workflows on the local Temporal dev server with a fake LLM that answers at once: iterations per second against Temporal\'s floor, wake latency, and worker memory with 1,000 sleeping agents.',
  options: ['agents'],
  defaultSeconds: 30,
  run,
};
