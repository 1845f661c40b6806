/**
 * The calibration loop of the seed (SPEC section 4): measure the CPU the sandbox pool really
 * delivers, then propose compute rates whose sum uses a target share of it (70-80%).
 */
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { EcologyError } from '../errors';
import { silentLogger, type Logger } from '../log/logger';
import { connectDocker, SandboxPool, type RunResult } from '../sandbox';
import '../db/int8';

/** Burns CPU for `ms` of wall time and reports how many loop turns it managed. */
export const PROBE_CODE = `export function run(args) {
  const end = Date.now() + args.ms;
  let turns = 0;
  while (Date.now() < end) { for (let i = 0; i < 10000; i++) turns++; }
  return turns;
}`;

export interface PoolMeasurement {
  /** CPUs the Docker daemon reports (NCPU). */
  docker_cpus: number;
  /** Each container's CPU limit (sandbox.limits.nanoCpus / 1e9). */
  cpus_per_container: number;
  containers: number;
  probe_ms: number;
  rounds: number;
  runs: number;
  failed_runs: number;
  /** CPU time the containers' cgroups counted, over the measured rounds. */
  cpu_ms: number;
  wall_ms: number;
  /** cpu_ms per wall second: what the pool delivers when every container is busy. */
  delivered_cpu_ms_per_s: number;
  /** The most the limits allow: containers x cpus_per_container x 1000. */
  limit_cpu_ms_per_s: number;
  /** Each container's own CPU-ms per wall second, averaged over its runs. */
  per_container_cpu_ms_per_s: number[];
}

export interface MeasureOptions {
  config: EcologyConfig;
  seconds: number;
  containers?: number;
  /** Progress (default: nothing). */
  logger?: Logger;
}

/**
 * Runs the probe concurrently in `containers` sandbox containers (default: the daemon's CPU count)
 * at the configured limits: one warm-up run each (container start, image build on first use), then
 * rounds of `probeMs` runs until `seconds` have passed. CPU comes from the cgroups, never from the
 * code's own clock.
 */
export async function measurePool(opts: MeasureOptions): Promise<PoolMeasurement> {
  const s = opts.config.sandbox;
  const log = opts.logger ?? silentLogger();
  const cal = opts.config.ecology.calibration;
  const probeMs = Math.max(50, Math.min(cal.probeMs, s.limits.timeoutMs - 500));
  const docker = connectDocker();
  const info = (await docker.info().catch((e: Error) => {
    throw new EcologyError('SANDBOX_UNAVAILABLE', `no Docker daemon answers: ${e.message}. Start one with scripts/start-docker.sh (or set DOCKER_HOST).`);
  })) as { NCPU?: number };
  const dockerCpus = Math.max(1, info.NCPU ?? 1);
  const containers = opts.containers ?? dockerCpus;
  const pool = new SandboxPool({ docker, limits: s.limits, image: s.image ?? undefined, imageName: s.imageName, startTimeoutMs: s.startTimeoutMs, idleMs: 600_000, maxContainers: containers, queueTimeoutMs: s.queueTimeoutMs });
  try {
    const owners = Array.from({ length: containers }, (_, i) => `calibrate-${i}`);
    const run = (owner: string, ms: number) => pool.run({ owner, code: PROBE_CODE, args: { ms } });
    log.info(`warming up ${containers} container(s) (the first run may build the sandbox image)`);
    const warm = await Promise.all(owners.map((o) => run(o, 100)));
    const broken = warm.find((r) => !r.ok) as Extract<RunResult, { ok: false }> | undefined;
    if (broken) throw new EcologyError('SANDBOX_UNAVAILABLE', `the probe could not run in the sandbox: ${broken.error.code}: ${broken.error.message}`);
    const perOwner = owners.map(() => ({ cpu: 0, wall: 0 }));
    let cpu = 0;
    let wall = 0;
    let rounds = 0;
    let failed = 0;
    const until = Date.now() + opts.seconds * 1000;
    log.info(`probing for ${opts.seconds} s in rounds of ${probeMs} ms`);
    while (rounds === 0 || Date.now() < until) {
      const t0 = Date.now();
      const results = await Promise.all(owners.map((o) => run(o, probeMs)));
      const roundWall = Date.now() - t0;
      rounds++;
      wall += roundWall;
      results.forEach((r, i) => {
        if (!r.ok) failed++;
        cpu += r.cpuMs;
        perOwner[i]!.cpu += r.cpuMs;
        perOwner[i]!.wall += roundWall;
      });
    }
    if (failed === rounds * containers) throw new EcologyError('SANDBOX_UNAVAILABLE', 'every probe run failed; see the sandbox worker logs');
    const cpusPer = s.limits.nanoCpus / 1e9;
    return {
      docker_cpus: dockerCpus,
      cpus_per_container: cpusPer,
      containers,
      probe_ms: probeMs,
      rounds,
      runs: rounds * containers,
      failed_runs: failed,
      cpu_ms: cpu,
      wall_ms: wall,
      delivered_cpu_ms_per_s: Math.round((cpu * 1000) / wall),
      limit_cpu_ms_per_s: Math.round(containers * cpusPer * 1000),
      per_container_cpu_ms_per_s: perOwner.map((p) => Math.round((p.cpu * 1000) / p.wall)),
    };
  } finally {
    await pool.close();
  }
}

export interface RateProposal {
  /** The sum the rates aim at: floor(delivered x targetPercent / 100). */
  total_rate: number;
  target_percent: number;
  /** How the split was made. */
  split: 'proportional' | 'equal' | 'none';
  per_principal: Record<string, number>;
  /** For principals made later (operator issuance, spawns): the average share. */
  new_principal_rate: number;
}

/**
 * Splits `floor(delivered x target%)` over the principals in proportion to their compute_rate (or
 * equally when none has one); every rate is floored, so the sum never exceeds the target.
 */
export function proposeRates(deliveredCpuMsPerS: number, targetPercent: number, principals: Array<{ id: string; rate: number }>): RateProposal {
  const total = Math.floor((deliveredCpuMsPerS * targetPercent) / 100);
  const sum = principals.reduce((n, p) => n + p.rate, 0);
  const perPrincipal: Record<string, number> = {};
  const split: RateProposal['split'] = principals.length === 0 ? 'none' : sum > 0 ? 'proportional' : 'equal';
  for (const p of principals) perPrincipal[p.id] = sum > 0 ? Math.floor((total * p.rate) / sum) : Math.floor(total / principals.length);
  return { total_rate: total, target_percent: targetPercent, split, per_principal: perPrincipal, new_principal_rate: Math.floor(total / Math.max(1, principals.length)) };
}

/** Every principal that is not a genesis or system account, with its compute_rate. */
export async function principalRates(pool: Pool): Promise<Array<{ id: string; rate: number }>> {
  const r = await pool.query<{ id: string; rate: number }>(
    `SELECT a.id, COALESCE(q.amount, 0) AS rate FROM artifacts a
     LEFT JOIN quotas q ON q.principal_id = a.id AND q.resource = 'compute_rate'
     WHERE a.has_standing AND NOT a.genesis ORDER BY a.id`,
  );
  return r.rows;
}

/** The proposal as a configuration fragment: merge it into ecology.config.json. */
export function configFragment(p: RateProposal): Record<string, unknown> {
  return { quotas: { operatorPrincipal: { compute_rate: p.new_principal_rate } }, ecology: { computeRates: p.per_principal } };
}
