import { performance } from 'node:perf_hooks';
import { ownCpuMs } from './cpu';

export interface Measurement {
  ops: number;
  ops_per_s: number;
  p50_ms: number;
  p99_ms: number;
  /** CPU per operation: this (client) process, and the server when a probe was given. */
  client_cpu_ms?: number;
  server_cpu_ms?: number;
}

/** Cumulative server CPU in ms (null when unknown). */
export type CpuProbe = () => Promise<number | null>;

export type Op = (client: number, i: number) => Promise<void>;

/** The q-quantile (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Latencies and wall time gathered over one or more windows. */
class Recorder {
  latencies: number[] = [];
  ms = 0;
  clientCpuMs = 0;
  serverCpuMs: number | null = 0;

  result(): Measurement {
    const sorted = Float64Array.from(this.latencies).sort();
    const n = sorted.length;
    return {
      ops: n,
      ops_per_s: n / (this.ms / 1000),
      p50_ms: quantile(sorted, 0.5),
      p99_ms: quantile(sorted, 0.99),
      client_cpu_ms: this.clientCpuMs / n,
      ...(this.serverCpuMs === null ? {} : { server_cpu_ms: this.serverCpuMs / n }),
    };
  }
}

let seq = 0;

/** `clients` concurrent loops of `op` for `seconds`; each loop finishes the operation it is in. */
async function window(clients: number, seconds: number, op: Op, rec: Recorder | null, serverCpu?: CpuProbe): Promise<void> {
  const server0 = rec && serverCpu ? await serverCpu() : null;
  const cpu0 = ownCpuMs();
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (performance.now() < until) {
        const began = performance.now();
        await op(c, seq++);
        rec?.latencies.push(performance.now() - began);
      }
    }),
  );
  if (!rec) return;
  rec.ms += performance.now() - start;
  rec.clientCpuMs += ownCpuMs() - cpu0;
  const server1 = serverCpu ? await serverCpu() : null;
  rec.serverCpuMs = rec.serverCpuMs === null || server0 === null || server1 === null ? null : rec.serverCpuMs + server1 - server0;
}

/**
 * Runs `clients` concurrent loops of `op` for `seconds`, after an unmeasured warm-up (connections
 * opened, statements prepared). Throughput counts completed operations; latency is each
 * operation's wall time in this process; CPU per operation is this process's and, given a probe,
 * the server's.
 */
export async function measure(clients: number, seconds: number, op: Op, warmupSeconds = 0, serverCpu?: CpuProbe): Promise<Measurement> {
  if (warmupSeconds > 0) await window(clients, warmupSeconds, op, null);
  const rec = new Recorder();
  await window(clients, seconds, op, rec, serverCpu);
  return rec.result();
}

/**
 * Measures `subject` and `baseline` for `seconds` each, interleaved in windows of about a second
 * (baseline first in even rounds, subject first in odd ones), so that load from other processes on
 * a shared machine falls on both alike and the ratio stays meaningful.
 */
export async function measureAgainst(
  clients: number,
  seconds: number,
  ops: { subject: Op; baseline: Op },
  warmupSeconds = 0,
  serverCpu?: CpuProbe,
): Promise<{ subject: Measurement; baseline: Measurement }> {
  if (warmupSeconds > 0) {
    await window(clients, warmupSeconds / 2, ops.baseline, null);
    await window(clients, warmupSeconds / 2, ops.subject, null);
  }
  const rounds = Math.max(1, Math.round(seconds));
  const subject = new Recorder();
  const baseline = new Recorder();
  for (let r = 0; r < rounds; r++) {
    const order: Array<[Op, Recorder]> = r % 2 === 0 ? [[ops.baseline, baseline], [ops.subject, subject]] : [[ops.subject, subject], [ops.baseline, baseline]];
    for (const [op, rec] of order) await window(clients, seconds / rounds, op, rec, serverCpu);
  }
  return { subject: subject.result(), baseline: baseline.result() };
}
