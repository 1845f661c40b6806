/**
 * The benchmark runner: `npm run bench -- <name>... [--seconds N] [--json] [--no-write]`.
 * Prints one line per scenario (with --json, one JSON object per line and nothing else on stdout)
 * and replaces the benchmark's section in BENCHMARKS.md. Progress goes to stderr.
 */
import { join } from 'node:path';
import { sectionBody, table, writeSection } from './support/report';
import type { Benchmark } from './support/types';

/** Every benchmark, by the name given on the command line. Adding one is one line here. */
const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  ledger: async () => (await import('./ledger.js')).ledgerBenchmark,
  oracle: async () => (await import('./oracle.js')).oracleBenchmark,
  sandbox: async () => (await import('./sandbox.js')).sandboxBenchmark,
  agents: async () => (await import('./agents.js')).agentsBenchmark,
  startup: async () => (await import('./startup.js')).startupBenchmark,
  llm: async () => (await import('./llm.js')).llmBenchmark,
};

const USAGE = `usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}>... [--seconds N] [--json] [--no-write] [--<option> <value> (a benchmark's own)]`;
const FILE = join(__dirname, '..', 'BENCHMARKS.md');

/** A mistake on the command line: printed without a stack trace. */
class UsageError extends Error {}

interface Cli {
  names: string[];
  /** Unset: each benchmark's default (10 unless it says otherwise). */
  seconds?: number;
  json: boolean;
  write: boolean;
  /** Benchmark-specific `--name value` options, checked against what the chosen benchmarks accept. */
  options: Record<string, string>;
}

function parse(argv: string[]): Cli {
  const cli: Cli = { names: [], json: false, write: true, options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') cli.json = true;
    else if (a === '--no-write') cli.write = false;
    else if (a === '--seconds') {
      cli.seconds = Number(argv[++i]);
      if (!Number.isFinite(cli.seconds) || cli.seconds <= 0) throw new UsageError(`--seconds needs a positive number\n${USAGE}`);
    } else if (a.startsWith('--') && i + 1 < argv.length && !argv[i + 1].startsWith('-')) cli.options[a.slice(2)] = argv[++i];
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}\n${USAGE}`);
    else if (!Object.hasOwn(BENCHMARKS, a)) throw new UsageError(`unknown benchmark ${a}\n${USAGE}`);
    else cli.names.push(a);
  }
  if (cli.names.length === 0) throw new UsageError(USAGE);
  return cli;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const cli = parse(argv);
  const command = `npm run bench -- ${argv.join(' ')}`;
  const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
  const benches = await Promise.all(cli.names.map((name) => BENCHMARKS[name]()));
  for (const option of Object.keys(cli.options)) {
    if (!benches.some((b) => b.options?.includes(option))) throw new UsageError(`unknown option --${option}\n${USAGE}`);
  }
  for (const [i, name] of cli.names.entries()) {
    const bench = benches[i];
    const report = await bench.run({ seconds: cli.seconds ?? bench.defaultSeconds ?? 10, log, options: cli.options });
    if (cli.json) for (const r of report.results) process.stdout.write(`${JSON.stringify(r)}\n`);
    else process.stdout.write(`${table(report.results)}\n`);
    if (cli.write) {
      writeSection(FILE, name, sectionBody({ description: bench.description, command, results: report.results, notes: report.notes }));
      log(`wrote the ${name} section of BENCHMARKS.md`);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
