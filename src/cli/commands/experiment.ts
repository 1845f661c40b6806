import { resolve } from 'node:path';
import { join } from 'node:path';
import { withLlmProvider } from '../../config/provider';
import { compareReports, readReport, reportPath } from '../../experiments/compare';
import type { Progress } from '../../experiments/run';
import { readSpec } from '../../experiments/spec';
import { cachedWorkflowBundle } from '../../ecology/workflowBundle';
import { invalid } from '../../errors';
import { stopLocalModel } from '../../llm/local/child';
import { UsageError, type Command, type CommandContext } from '../command';
import { table } from '../table';
import { requireLlmEndpoint } from './up';

const ROOT = join(__dirname, '..', '..', '..');

function positiveOption(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n <= 0) throw invalid(`--${name} takes a positive number`);
  return n;
}

const cell = (v: number | string | null) => (v === null ? '-' : typeof v === 'number' ? Number(v.toPrecision(4)).toString() : v);
const progressLine = (p: Progress) => `experiment: ${p.arm} #${p.repeat}  elapsed ${Math.round(p.elapsed_seconds)} s  spent $${p.dollars.toFixed(4)}  solved ${p.solved}`;

async function run(ctx: CommandContext): Promise<number> {
  const [, specFile, ...extra] = ctx.positionals;
  if (!specFile || extra.length > 0) throw new UsageError('expected: experiment run <spec.json>');
  const spec = readSpec(specFile);
  const config = withLlmProvider(ctx.config(), spec.llm?.provider);
  if (!spec.llm?.base_url) requireLlmEndpoint(config);
  const log = (m: string) => void process.stderr.write(`experiment: ${m}\n`);
  let interrupted = false;
  const onSignal = () => {
    if (!interrupted) log('interrupted: stopping the arm that runs (its results are kept in the report)');
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // Loaded lazily: only this subcommand starts workers.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runExperiment } = require('../../experiments/run') as typeof import('../../experiments/run');
    const { code } = await cachedWorkflowBundle({ dir: join(process.env.ECOLOGY_DATA_DIR ?? join(ROOT, '.data')) });
    const { report, paths } = await runExperiment({
      spec,
      specPath: resolve(specFile),
      base: config,
      minutes: positiveOption(ctx.options.minutes, 'minutes'),
      budgetUsd: positiveOption(ctx.options['budget-usd'], 'budget-usd'),
      keepWorlds: ctx.options['keep-worlds'] === true,
      workflowBundle: { code },
      progress: (p) => void process.stderr.write(`${progressLine(p)}\n`),
      log,
      interrupted: () => interrupted,
    });
    const h = report.headline.collective_advantage;
    ctx.print(
      { report: paths.json, html: paths.html, collective_advantage: h, arms: report.arms },
      [
        `report: ${paths.json}`,
        `        ${paths.html}`,
        `collective advantage (solved per $, society / isolated): ${h.solved.mean === null ? `n/a (${h.solved.reasons.join('; ') || report.headline.note})` : cell(h.solved.mean)}`,
        table(report.arms, [
          { header: 'arm', cell: (a) => a.arm },
          { header: 'solved', cell: (a) => cell(a.solved), right: true },
          { header: 'dollars', cell: (a) => cell(a.dollars), right: true },
          { header: 'solved/$', cell: (a) => cell(a.solved_per_dollar), right: true },
          { header: 'reuse', cell: (a) => cell(a.reuse_share), right: true },
          { header: 'trades', cell: (a) => cell(a.trades), right: true },
        ]),
      ].join('\n'),
    );
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopLocalModel();
  }
}

function compare(ctx: CommandContext): number {
  const [, a, b, ...extra] = ctx.positionals;
  if (!a || !b || extra.length > 0) throw new UsageError('expected: experiment compare <a> <b>');
  const dir = resolve(ctx.config().experiments.dir);
  const [pa, pb] = [reportPath(dir, a), reportPath(dir, b)];
  const [ra, rb] = [readReport(pa), readReport(pb)];
  const rows = compareReports(ra, rb);
  ctx.print(
    { ok: true, a: pa, b: pb, rows },
    table(rows, [
      { header: 'metric', cell: (r) => r.metric },
      { header: ra.name, cell: (r) => cell(r.a), right: true },
      { header: rb.name === ra.name ? `${rb.name} (b)` : rb.name, cell: (r) => cell(r.b) },
    ]),
  );
  return 0;
}

export const experimentCommand: Command = {
  name: 'experiment',
  usage: 'experiment run <spec.json> [--minutes N] [--budget-usd X] [--keep-worlds] | experiment compare <a> <b>',
  summary: 'runs an experiment\'s arms (society, isolated), each in a fresh world, and writes experiments/<name>/report.json and report.html; compare sets two reports side by side',
  valueOptions: ['minutes', 'budget-usd'],
  flagOptions: ['keep-worlds'],
  async run(ctx) {
    const sub = ctx.positionals[0];
    if (sub === 'run') return run(ctx);
    if (sub === 'compare') return compare(ctx);
    throw new UsageError('expected: experiment run <spec.json> | experiment compare <a> <b>');
  },
};
