/**
 * The invocation saga (hold -> run in Docker -> settle, src/invoke) measured whole, warm and cold,
 * against a bare `docker run` of the same image; and the accuracy of the CPU it charges against a
 * busy loop of known CPU length. Used by bench/sandbox.ts (`npm run bench -- sandbox`).
 */
import { performance } from 'node:perf_hooks';
import type Docker from 'dockerode';
import { createOperatorPrincipal } from '../src/artifacts/operator';
import { writeArtifact } from '../src/artifacts/store';
import { deepMerge, loadConfig } from '../src/config/load';
import { withTransaction } from '../src/db/tx';
import { bootstrapGenesis } from '../src/genesis/bootstrap';
import { holdInvocation } from '../src/invoke/hold';
import { invoke } from '../src/invoke/invoke';
import { runInvocation } from '../src/invoke/run';
import { sandboxPoolFromConfig } from '../src/invoke/sandboxPool';
import { settleInvocation } from '../src/invoke/settle';
import type { InvokeDeps } from '../src/invoke/types';
import { audit } from '../src/audit/audit';
import type { SandboxPool } from '../src/sandbox';
import { locateCgroup } from '../src/sandbox/cgroup';
import { createBenchDatabase, serverVersion } from './support/db';
import { quantile } from './support/measure';
import type { BenchOptions, ScenarioResult } from './support/types';

const TRIVIAL = 'export function run(a) { return a.i }';
/** Spins until the job process itself has used `a.ms` of CPU (user + system), then reports what it used. */
const BUSY = `export function run(a) {
  const t0 = process.cpuUsage();
  for (;;) { const u = process.cpuUsage(t0); if ((u.user + u.system) / 1000 >= a.ms) return (u.user + u.system) / 1000; }
}`;
const COLD = 8;
const WARM_TARGET_MS = 25;
const ACCURACY = 0.1;
const BUSY_MS = [100, 250, 500, 1000];
const QUOTAS = { compute_rate: 0, compute_capacity: Number.MAX_SAFE_INTEGER, llm_token_rate: 0, llm_token_capacity: 0, disk_bytes: 100_000_000, llm_dollars: 0 };

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function summarise(name: string, values: number[], extra: Partial<ScenarioResult> = {}): ScenarioResult {
  const s = sorted(values);
  return { name, ops: s.length, ops_per_s: round(1000 / mean(s)), p50_ms: round(quantile(s, 0.5), 2), p99_ms: round(quantile(s, 0.99), 2), ...extra };
}

async function waitIdle(pool: SandboxPool, owner: string): Promise<void> {
  while (!pool.containers().some((c) => c.owner === owner && c.state === 'idle')) await new Promise((r) => setTimeout(r, 1));
}

/** `docker run --rm --network none <image> node -e 0`, through the Engine API as the pool talks to it. */
async function bareDockerRun(docker: Docker, image: string): Promise<void> {
  const c = await docker.createContainer({
    Image: image,
    Entrypoint: ['/usr/local/bin/node'],
    Cmd: ['-e', '0'],
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none', LogConfig: { Type: 'none', Config: {} } },
  });
  await c.start();
  const r = (await c.wait()) as { StatusCode: number };
  await c.remove({ force: true });
  if (r.StatusCode !== 0) throw new Error(`bare docker run exited ${r.StatusCode}`);
}

export async function sagaScenarios(opts: BenchOptions, docker: Docker, image: string): Promise<{ results: ScenarioResult[]; notes: string[] }> {
  const db = await createBenchDatabase();
  const results: ScenarioResult[] = [];
  const notes: string[] = [];
  let sandbox: SandboxPool | undefined;
  try {
    await bootstrapGenesis(db.pool);
    const config = loadConfig({
      overrides: deepMerge({ database: { url: db.url }, quotas: { operatorPrincipal: QUOTAS, createdPrincipal: QUOTAS } }, { sandbox: { image, maxContainers: COLD + 4, idleMs: 600_000 } }),
    });
    sandbox = sandboxPoolFromConfig(config, { docker });
    const deps: InvokeDeps = { pool: db.pool, config, sandbox };
    const owners = ['owner', ...Array.from({ length: COLD }, (_, i) => `cold${i}`)].map((o) => `bench_${o}`);
    await createOperatorPrincipal(db.pool, config, { id: 'bench_invoker', kind: 'agent', scrip: 1_000_000_000, compute: 1_000_000_000 });
    for (const owner of owners) {
      await createOperatorPrincipal(db.pool, config, { id: owner, kind: 'agent', scrip: 0, compute: 0 });
      await withTransaction(db.pool, (client) => writeArtifact({ client, caller: owner, config, key: `bench-create-${owner}` }, { id: `${owner}_tool`, type: 'tool', code: TRIVIAL, can_execute: true, price: 1 }));
    }
    await withTransaction(db.pool, (client) => writeArtifact({ client, caller: 'bench_owner', config, key: 'bench-create-busy' }, { id: 'bench_busy', type: 'tool', code: BUSY, can_execute: true, price: 1 }));
    let n = 0;
    const call = async (tool: string, args: unknown) => {
      const o = await invoke(deps, { caller: 'bench_invoker', artifactId: tool, method: 'run', args, key: `bench:${++n}` });
      if (!o.ok) throw new Error(`invocation failed: ${JSON.stringify(o)}`);
      return o;
    };

    // Cold: the first invocation of each owner starts its container; interleaved with the baseline.
    opts.log('saga cold, and bare docker run');
    const cold: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < COLD; i++) {
      let t0 = performance.now();
      await bareDockerRun(docker, image);
      bare.push(performance.now() - t0);
      t0 = performance.now();
      await call(`bench_cold${i}_tool`, { i });
      cold.push(performance.now() - t0);
    }
    const bareS = summarise('baseline: bare docker run --rm --network none <image> node -e 0 (create + start + wait + remove)', bare);
    results.push({
      ...summarise('saga cold: hold + start container + run + settle', cold),
      baseline_ops_per_s: bareS.ops_per_s,
      baseline_p50_ms: bareS.p50_ms,
      baseline_p99_ms: bareS.p99_ms,
      ratio: round(bareS.p50_ms! / quantile(sorted(cold), 0.5), 2),
    });
    results.push(bareS);

    // Warm, spaced: the owner's container is idle when the invocation arrives (its last clean-up done).
    opts.log('saga warm, spaced');
    const owner = 'bench_owner';
    await call(`${owner}_tool`, { i: 0 });
    const warm: number[] = [];
    const steps = { hold: [] as number[], run: [] as number[], settle: [] as number[] };
    const cpu: number[] = [];
    let warmCold = 0;
    let until = performance.now() + opts.seconds * 1000;
    for (let i = 0; performance.now() < until; i++) {
      await waitIdle(sandbox, owner);
      if (i % 2 === 0) {
        const t0 = performance.now();
        const o = await call(`${owner}_tool`, { i });
        warm.push(performance.now() - t0);
        cpu.push(o.compute_charged);
        if (o.invocation?.cold_start) warmCold++;
      } else {
        // The same saga step by step, to show where the time goes.
        const key = `bench:${++n}`;
        const req = { caller: 'bench_invoker', artifactId: `${owner}_tool`, method: 'run', args: { i }, key };
        const t0 = performance.now();
        await holdInvocation(deps, req);
        const t1 = performance.now();
        await runInvocation(deps, { key }, invoke);
        const t2 = performance.now();
        await settleInvocation(deps, { key });
        const t3 = performance.now();
        steps.hold.push(t1 - t0);
        steps.run.push(t2 - t1);
        steps.settle.push(t3 - t2);
      }
    }
    const warmS = summarise('saga warm: hold + run (idle warm container) + settle', warm, { seconds: opts.seconds });
    results.push({
      ...warmS,
      target: `p50 <= ${WARM_TARGET_MS} ms`,
      target_met: warmS.p50_ms! <= WARM_TARGET_MS,
      figures: { cpu_charged_p50_ms: quantile(sorted(cpu), 0.5), max_ms: round(Math.max(...warm)), cold_starts: warmCold },
    });
    const p50 = (xs: number[]) => round(quantile(sorted(xs), 0.5), 2);
    notes.push(
      `Saga warm, step by step (p50): hold ${p50(steps.hold)} ms, run ${p50(steps.run)} ms, settle ${p50(steps.settle)} ms. ` +
        `A trivial invocation is charged p50 ${quantile(sorted(cpu), 0.5)} CPU-ms.`,
    );

    // Warm, back to back: each invocation also waits for the previous job's clean-up in the same container.
    opts.log('saga warm, back to back');
    const b2b: number[] = [];
    let b2bCold = 0;
    until = performance.now() + opts.seconds * 1000;
    for (let i = 0; performance.now() < until; i++) {
      const t0 = performance.now();
      const o = await call(`${owner}_tool`, { i });
      b2b.push(performance.now() - t0);
      if (o.invocation?.cold_start) b2bCold++;
    }
    notes.push(
      'Why the next job process is not booted while the current job runs (which would take the ~40 ms clean-up off the back-to-back path): ' +
        "(1) accounting: its boot would burn CPU inside the running job's window of the container cgroup, so a trivial job would be charged ~40 ms " +
        "instead of a few, and taking it back out would mean trusting per-process figures the host cannot tell apart from the job's own processes " +
        "(for the same reason the runner starts the clean-up and the next boot only when the host, having read the cgroup at the result, sends 'recycle'); " +
        '(2) isolation: a process that exists while untrusted code runs is reachable by it as a process of the same uid: the job can signal it ' +
        '(SIGSTOP it, so the next job hangs). Planting code for the next job is no longer possible (the job module and the warm-up dry run load from ' +
        'data: URLs, nothing from /tmp); (2) could be closed by checking that the spare is alive and running after the sweep; (1) cannot without ' +
        'weakening the rule that money follows the cgroup. The warm target is met with an idle container; an owner whose code is invoked back to ' +
        'back pays the clean-up. The remedy with neither problem is a second warm container for a busy owner (its own cgroup and processes): a pool ' +
        'policy, not done here.',
    );
    results.push(
      summarise('saga warm back to back, one owner (waits for the clean-up between jobs)', b2b, {
        seconds: opts.seconds,
        figures: { max_ms: round(Math.max(...b2b)), cold_starts: b2bCold },
      }),
    );

    // CPU accounting accuracy against busy loops of known CPU length.
    opts.log('CPU accounting accuracy');
    const probe = () => locateCgroup(sandbox!.containers().find((c) => c.owner === owner && c.state !== 'dead')!.id);
    const idleToIdle = async (tool: string, args: unknown) => {
      await waitIdle(sandbox!, owner);
      const p = probe();
      const c0 = p?.cpuUsageNs();
      const o = await call(tool, args);
      await waitIdle(sandbox!, owner);
      const c1 = p?.cpuUsageNs();
      return { o, windowMs: c0 != null && c1 != null ? Number(c1 - c0) / 1e6 : NaN };
    };
    // What a job costs the container beyond the job itself: the clean-up and the next process's boot.
    const overhead: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { o, windowMs } = await idleToIdle(`${owner}_tool`, { i });
      overhead.push(windowMs - o.compute_charged);
    }
    const recycle = quantile(sorted(overhead), 0.5);
    const errors: number[] = [];
    const rows: string[] = [];
    for (const ms of BUSY_MS) {
      for (let rep = 0; rep < 2; rep++) {
        const { o, windowMs } = await idleToIdle('bench_busy', { ms });
        const cgroupJob = windowMs - recycle;
        const self = o.ok ? Number(o.result) : NaN;
        const err = (o.compute_charged - cgroupJob) / cgroupJob;
        errors.push(Math.abs(err));
        rows.push(`| ${ms} | ${round(self)} | ${o.compute_charged} | ${round(cgroupJob)} | ${round(err * 100)}% |`);
      }
    }
    const worst = Math.max(...errors);
    results.push({
      name: `CPU accounting: charged vs the container's cgroup, busy loops of ${BUSY_MS.join('/')} CPU-ms`,
      ops: errors.length,
      ops_per_s: NaN,
      target: `within ${ACCURACY * 100}%`,
      target_met: worst <= ACCURACY,
      figures: { worst_error_pct: round(worst * 100), mean_error_pct: round(mean(errors) * 100), recycle_overhead_ms: round(recycle) },
    });
    notes.push(
      [
        'CPU accounting accuracy. Each busy loop spins until its own process has used the given CPU time. "charged" is what the saga put on the payer\'s ' +
          'compute bucket (the container cgroup read by the host at dispatch and at the result, rounded up to whole ms). "cgroup" is an independent ' +
          'reading of the same cgroup by the benchmark, from idle before the invocation to idle after it, minus the median clean-up and next-process ' +
          `boot the runner does after every job (${round(recycle)} ms, measured on 20 trivial jobs; charged to nobody by design). "self" is the job's own process.cpuUsage().`,
        '',
        '| busy loop CPU-ms | self ms | charged ms | cgroup ms | charged vs cgroup |',
        '|---:|---:|---:|---:|---:|',
        ...rows,
      ].join('\n'),
    );

    const report = await audit(db.pool);
    if (!report.ok) throw new Error(`audit failed after the saga benchmark: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
    notes.push(`Set-up: ${await serverVersion(db.pool)}, a fresh database; the saga is \`invoke()\` in this process (src/invoke), price 1 scrip, sandbox limits ${JSON.stringify(config.sandbox.limits)}. Afterwards the audit passed (${report.checks.length} checks).`);
  } finally {
    await sandbox?.close();
    await db.drop();
  }
  return { results, notes };
}
