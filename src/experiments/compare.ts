/** `ecology experiment compare <a> <b>`: two reports side by side, row by row. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { invalid } from '../errors';
import type { Spread } from './metrics';
import { REPORT_SCHEMA, type ArmSummary, type ExperimentReport } from './report';

/** A report.json path, a folder holding one, or an experiment's name under `dir`. */
export function reportPath(dir: string, which: string): string {
  for (const p of [which, join(which, 'report.json'), join(dir, which, 'report.json')]) {
    if (existsSync(p) && p.endsWith('.json')) return p;
  }
  throw invalid(`no report found for ${which} (looked for ${which}, ${join(which, 'report.json')} and ${join(dir, which, 'report.json')})`);
}

export function readReport(path: string): ExperimentReport {
  let r: ExperimentReport;
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as ExperimentReport;
  } catch (e) {
    throw invalid(`cannot read the report ${path}: ${(e as Error).message}`);
  }
  if (r?.schema !== REPORT_SCHEMA || !Array.isArray(r.arms)) throw invalid(`${path} is not an experiment report (schema ${REPORT_SCHEMA})`);
  return r;
}

export interface ComparisonRow {
  metric: string;
  a: number | string | null;
  b: number | string | null;
}

const ARM_METRICS: Array<[keyof ArmSummary, string]> = [
  ['solved', 'solved'],
  ['score', 'score'],
  ['dollars', 'dollars'],
  ['solved_per_dollar', 'solved per $'],
  ['score_per_dollar', 'score per $'],
  ['reuse_share', 'reuse share'],
  ['mean_depth', 'mean depth'],
  ['final_gini_scrip', 'final Gini (scrip)'],
  ['trades', 'trades'],
];

const spreadCell = (s: Spread) => (s.mean === null ? null : s.values.length > 1 ? `${s.mean.toPrecision(3)} [${s.min?.toPrecision(3)}, ${s.max?.toPrecision(3)}]` : s.mean);

export function compareReports(a: ExperimentReport, b: ExperimentReport): ComparisonRow[] {
  const rows: ComparisonRow[] = [
    { metric: 'collective advantage (solved per $)', a: spreadCell(a.headline.collective_advantage.solved), b: spreadCell(b.headline.collective_advantage.solved) },
    { metric: 'collective advantage (score per $)', a: spreadCell(a.headline.collective_advantage.score), b: spreadCell(b.headline.collective_advantage.score) },
    { metric: 'limits', a: `${a.limits.minutes} min, $${a.limits.budget_usd}`, b: `${b.limits.minutes} min, $${b.limits.budget_usd}` },
  ];
  const arms = [...new Set([...a.arms, ...b.arms].map((x) => x.arm))];
  for (const arm of arms) {
    const [x, y] = [a.arms.find((s) => s.arm === arm), b.arms.find((s) => s.arm === arm)];
    for (const [key, label] of ARM_METRICS) rows.push({ metric: `${arm}: ${label}`, a: (x?.[key] as number | null | undefined) ?? null, b: (y?.[key] as number | null | undefined) ?? null });
  }
  return rows;
}
