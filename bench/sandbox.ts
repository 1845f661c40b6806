/**
 * Sandbox latency: cold start (create + start + runner ready + first job), warm job latency, and the
 * price of running every job in a fresh process inside the warm container (the recycle between
 * jobs, and the CPU a trivial job is charged). Needs a Docker daemon.
 *
 * Standalone: `npx tsx bench/sandbox.ts [--seconds N]`; or register `sandbox` in bench/run.ts.
 */
import { performance } from 'node:perf_hooks';
import { connectDocker, ensureSandboxImage, SandboxPool } from '../src/sandbox';
import { locateCgroup } from '../src/sandbox/cgroup';
import { sagaScenarios } from './sandboxSaga';
import { measure, quantile } from './support/measure';
import type { BenchOptions, BenchReport, Benchmark, ScenarioResult } from './support/types';

const TRIVIAL = 'export function run(args) { return args.i }';
const COLD_STARTS = 8;

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const round = (x: number): number => Math.round(x * 10) / 10;

async function waitIdle(pool: SandboxPool, owner: string): Promise<void> {
  while (!pool.containers().some((c) => c.owner === owner && c.state === 'idle')) await new Promise((r) => setTimeout(r, 2));
}

function summarise(name: string, values: number[], extra: Partial<ScenarioResult> = {}): ScenarioResult {
  const s = sorted(values);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { name, ops: s.length, ops_per_s: round(1000 / mean), p50_ms: round(quantile(s, 0.5)), p99_ms: round(quantile(s, 0.99)), ...extra };
}

async function run(opts: BenchOptions): Promise<BenchReport> {
  const docker = connectDocker();
  const image = await ensureSandboxImage(docker);
  const pool = new SandboxPool({ docker, image: image.ref, maxContainers: COLD_STARTS + 4, idleMs: 600_000 });
  const results: ScenarioResult[] = [];
  const notes: string[] = [];
  try {
    // 1. Cold start: a new owner each time, so each run creates and starts a container.
    opts.log('cold starts');
    const cold: number[] = [];
    const startOnly: number[] = [];
    for (let i = 0; i < COLD_STARTS; i++) {
      const t0 = performance.now();
      const r = await pool.run({ owner: `bench-cold-${i}-${Date.now()}`, code: TRIVIAL, args: { i } });
      if (!r.ok || !r.coldStart) throw new Error(`cold run failed: ${JSON.stringify(r)}`);
      cold.push(performance.now() - t0);
    }
    for (const c of pool.containers()) if (c.owner.startsWith('bench-cold-')) startOnly.push(c.startMs);
    results.push(summarise('cold start: create + start + ready + first job', cold));
    results.push(summarise('cold start: container create + start + runner ready only', startOnly));

    // 2. Warm, spaced: the next job arrives after the previous one's clean-up (the usual case).
    opts.log('warm jobs, spaced');
    const owner = 'bench-warm';
    await pool.run({ owner, code: TRIVIAL, args: { i: 0 } });
    const warm: number[] = [];
    const cpu: number[] = [];
    const inside: number[] = [];
    const recycle: number[] = [];
    const recycleCpu: number[] = [];
    const until = performance.now() + opts.seconds * 1000;
    for (let i = 0; performance.now() < until; i++) {
      const info = pool.containers().find((c) => c.owner === owner)!;
      const probe = locateCgroup(info.id);
      await waitIdle(pool, owner);
      const rec = pool.containers().find((c) => c.owner === owner)?.lastRecycleMs;
      if (rec != null) recycle.push(rec);
      const t0 = performance.now();
      const r = await pool.run({ owner, code: TRIVIAL, args: { i } });
      warm.push(performance.now() - t0);
      // CPU the container burns between this result and ready: the price of the fresh process.
      const atResult = probe?.cpuUsageNs();
      await waitIdle(pool, owner);
      const atIdle = probe?.cpuUsageNs();
      if (atResult != null && atIdle != null) recycleCpu.push(Number(atIdle - atResult) / 1e6);
      if (!r.ok) throw new Error(`warm run failed: ${JSON.stringify(r)}`);
      cpu.push(r.cpuMs);
      inside.push(r.wallMs);
    }
    results.push(summarise('warm job, container idle (host round trip)', warm, { seconds: opts.seconds }));
    results.push(summarise('per-job isolation: recycle between jobs (kill, sweep, scrub, boot next process)', recycle));
    const rc = sorted(recycleCpu);

    // 3. Back to back for one owner: each job also waits for the previous job's recycle.
    opts.log('warm jobs, back to back');
    const b2b = await measure(1, opts.seconds, async (_c, i) => {
      const r = await pool.run({ owner, code: TRIVIAL, args: { i } });
      if (!r.ok) throw new Error(`back-to-back run failed: ${JSON.stringify(r)}`);
    });
    results.push({ name: 'warm jobs back to back, one owner (includes recycle)', ...roundM(b2b), clients: 1, seconds: opts.seconds });

    // 4. Several owners at once: throughput of the pool on this machine.
    opts.log('4 owners in parallel');
    const par = await measure(
      4,
      opts.seconds,
      async (c, i) => {
        const r = await pool.run({ owner: `bench-par-${c}`, code: TRIVIAL, args: { i } });
        if (!r.ok) throw new Error(`parallel run failed: ${JSON.stringify(r)}`);
      },
      1,
    );
    results.push({ name: 'warm jobs, 4 owners in parallel', ...roundM(par), clients: 4, seconds: opts.seconds });

    const cpuS = sorted(cpu);
    const insideS = sorted(inside);
    notes.push(
      `Image ${image.ref}. Limits: ${JSON.stringify(pool.limits)}.`,
      `A trivial job is charged p50 ${quantile(cpuS, 0.5)} ms CPU (p99 ${quantile(cpuS, 0.99)}), host-measured from the container cgroup; ` +
        `dispatch-to-result wall time inside the host p50 ${round(quantile(insideS, 0.5))} ms.`,
      `The recycle after each job costs the container p50 ${round(quantile(rc, 0.5))} ms CPU (p99 ${round(quantile(rc, 0.99))}), charged to nobody: ` +
        'that is the overhead of a fresh process per job and what bounds the pool throughput per CPU.',
      'Per-job isolation is a fresh `node` process per job inside the warm container. Its boot (with a dry run of a job, so the real job ' +
        "finds the module loader, IPC and result checks warm) happens after the host has read the CPU at the previous job's result and told " +
        "the runner to recycle, before the container reports ready, so it is neither on the latency path of a spaced job nor in any job's " +
        "CPU window; back-to-back jobs for one owner wait for it. At the result the runner SIGKILLs the job's processes and sends the result " +
        'without waiting for them to finish exiting (only for the output they wrote, by byte count).',
    );
  } finally {
    await pool.close();
  }
  // The whole invocation saga on top of the pool, against a bare `docker run`; CPU accounting accuracy.
  const saga = await sagaScenarios(opts, docker, image.ref);
  return { results: [...saga.results, ...results], notes: [...saga.notes, ...notes].join('\n\n') };
}

function roundM(m: { ops: number; ops_per_s: number; p50_ms: number; p99_ms: number }): Pick<ScenarioResult, 'ops' | 'ops_per_s' | 'p50_ms' | 'p99_ms'> {
  return { ops: m.ops, ops_per_s: round(m.ops_per_s), p50_ms: round(m.p50_ms), p99_ms: round(m.p99_ms) };
}

export const sandboxBenchmark: Benchmark = {
  description: 'Docker sandbox: the invocation saga warm and cold against a bare docker run, CPU accounting accuracy, and the pool underneath (cold start, warm job latency, cost of a fresh process per job)',
  run,
};

if (require.main === module) {
  const i = process.argv.indexOf('--seconds');
  const seconds = i > 0 ? Number(process.argv[i + 1]) : 5;
  run({ seconds, log: (l) => process.stderr.write(`[bench] ${l}\n`) })
    .then((report) => {
      for (const r of report.results) process.stdout.write(`${JSON.stringify(r)}\n`);
      process.stdout.write(`\n${report.notes}\n`);
    })
    .catch((err) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
}
