/** What every benchmark module exports and returns; bench/run.ts prints and records it. */

export interface BenchOptions {
  /** Measured seconds per scenario (--seconds, default 10). */
  seconds: number;
  /** Progress lines go here (stderr), never to stdout, so --json output stays one object per line. */
  log: (line: string) => void;
  /** The benchmark's own `--name value` options from the command line (those in Benchmark.options). */
  options?: Record<string, string>;
}

/** One scenario's figures. The fields that do not apply are left out. */
export interface ScenarioResult {
  name: string;
  ops_per_s: number;
  baseline_ops_per_s?: number;
  /** ops_per_s / baseline_ops_per_s. */
  ratio?: number;
  p50_ms?: number;
  p99_ms?: number;
  baseline_p50_ms?: number;
  baseline_p99_ms?: number;
  /** CPU time per operation, in ms: the benchmark's own process (the client) and the server. */
  client_cpu_ms?: number;
  server_cpu_ms?: number;
  baseline_client_cpu_ms?: number;
  baseline_server_cpu_ms?: number;
  /** Operations completed in the measured window. */
  ops: number;
  clients?: number;
  seconds?: number;
  /** A target the scenario must meet, and whether it did. */
  target?: string;
  target_met?: boolean;
  /** Other figures of the scenario, each named with its unit (rss_mb, overhead_p99_ms, ...). */
  figures?: Record<string, number>;
}

export interface BenchReport {
  results: ScenarioResult[];
  /** Markdown written under the table in BENCHMARKS.md: set-up, what is measured, sanity checks. */
  notes: string;
}

export interface Benchmark {
  description: string;
  /** Names of the `--name value` options it takes besides --seconds. */
  options?: string[];
  /** --seconds when the command line gives none (10 otherwise). */
  defaultSeconds?: number;
  run(opts: BenchOptions): Promise<BenchReport>;
}
