/**
 * The experiment's report (schema in docs/experiments.md): every arm run with its results, the
 * mean of each arm over its repeats, and the headline, collective advantage = bounties solved (and
 * score) per dollar in `society` / the same in `isolated`, one value per repeat with its spread.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { advantageOf, mean, spread, type Spread } from './metrics';
import type { ArmResults } from './results';
import type { Arm, ExperimentSpec } from './spec';

export const REPORT_SCHEMA = 1;

export interface ArmRun {
  arm: Arm;
  repeat: number;
  database: string;
  namespace: string;
  task_queue: string;
  started_at: string;
  ended_at: string;
  elapsed_seconds: number;
  /** What ended the arm: its dollar budget, its time, or an interruption (Ctrl-C). */
  stopped_by: 'budget' | 'time' | 'interrupted';
  /** Database kept (--keep-worlds) or dropped. */
  kept: boolean;
  results: ArmResults;
}

export interface ArmSummary {
  arm: Arm;
  runs: number;
  solved: number | null;
  score: number | null;
  dollars: number | null;
  solved_per_dollar: number | null;
  score_per_dollar: number | null;
  reuse_share: number | null;
  mean_depth: number | null;
  final_gini_scrip: number | null;
  trades: number | null;
}

export interface Headline {
  /** Per repeat: society's solved per dollar / isolated's, and the same for score. */
  collective_advantage: { solved: Spread; score: Spread };
  /** Why there is no headline (an arm missing from the spec), if so. */
  note?: string;
}

export interface ExperimentReport {
  schema: number;
  name: string;
  spec: ExperimentSpec;
  /** The limits the arms ran with (the spec's, or --minutes / --budget-usd). */
  limits: { minutes: number; budget_usd: number };
  started_at: string;
  finished_at: string;
  runs: ArmRun[];
  arms: ArmSummary[];
  headline: Headline;
}

function summarise(arm: Arm, runs: ArmRun[]): ArmSummary {
  const of = (f: (r: ArmResults) => number | null) => mean(runs.map((r) => f(r.results)));
  return {
    arm,
    runs: runs.length,
    solved: of((r) => r.bounties.solved),
    score: of((r) => r.bounties.score),
    dollars: of((r) => r.spend.dollars),
    solved_per_dollar: of((r) => r.bounties.solved_per_dollar.value),
    score_per_dollar: of((r) => r.bounties.score_per_dollar.value),
    reuse_share: of((r) => r.reuse.share.value),
    mean_depth: of((r) => r.reuse.mean_depth),
    final_gini_scrip: of((r) => r.wealth.final_gini_scrip),
    trades: of((r) => r.trades.count),
  };
}

export function headlineOf(runs: readonly ArmRun[], repeats: number): Headline {
  const find = (arm: Arm, n: number) => runs.find((r) => r.arm === arm && r.repeat === n);
  const pairs = Array.from({ length: repeats }, (_, i) => [find('society', i + 1), find('isolated', i + 1)] as const).filter(([s, i]) => s && i) as Array<[ArmRun, ArmRun]>;
  const headline: Headline = {
    collective_advantage: {
      solved: spread(pairs.map(([s, i]) => advantageOf(s.results.bounties.solved_per_dollar, i.results.bounties.solved_per_dollar))),
      score: spread(pairs.map(([s, i]) => advantageOf(s.results.bounties.score_per_dollar, i.results.bounties.score_per_dollar))),
    },
  };
  return pairs.length === 0 ? { ...headline, note: 'collective advantage needs both arms, society and isolated' } : headline;
}

export function buildReport(spec: ExperimentSpec, limits: ExperimentReport['limits'], runs: ArmRun[], startedAt: Date, finishedAt: Date): ExperimentReport {
  return {
    schema: REPORT_SCHEMA,
    name: spec.name,
    spec,
    limits,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    runs,
    arms: spec.arms.map((arm) => summarise(arm, runs.filter((r) => r.arm === arm))),
    headline: headlineOf(runs, spec.repeats),
  };
}

/** Writes <dir>/<name>/report.json and report.html; returns their paths. */
export function writeReport(dir: string, report: ExperimentReport, html: string): { json: string; html: string } {
  const folder = join(dir, report.name);
  mkdirSync(folder, { recursive: true });
  const paths = { json: join(folder, 'report.json'), html: join(folder, 'report.html') };
  writeFileSync(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(paths.html, html);
  return paths;
}
