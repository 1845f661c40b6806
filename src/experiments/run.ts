/**
 * `ecology experiment run`: the arms one after another (repeat 1: society, isolated; repeat 2: ...),
 * each in a fresh world of its own (./world.ts) until its dollar budget or its time is spent, then
 * stopped cleanly and measured (./results.ts); then the report (./report.ts, ./html.ts).
 */
import type { LlmClient } from '../llm/client';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import type { WorkflowBundleOption } from '../../workers/worker';
import { renderReportHtml } from './html';
import { buildReport, writeReport, type ArmRun, type ExperimentReport } from './report';
import { readArmResults } from './results';
import type { Arm, ExperimentSpec } from './spec';
import { readSuite, type Suite } from '../bounties/suite';
import { openArmWorld, type ArmWorld } from './world';

export interface Progress {
  arm: Arm;
  repeat: number;
  elapsed_seconds: number;
  dollars: number;
  solved: number;
}

export interface RunOptions {
  spec: ExperimentSpec;
  /** Where the spec was read from: a relative suite path is looked up from its folder first. */
  specPath: string;
  base: EcologyConfig;
  /** --minutes, --budget-usd: override the spec's limits. */
  minutes?: number;
  budgetUsd?: number;
  keepWorlds?: boolean;
  workflowBundle?: WorkflowBundleOption;
  openai?: LlmClient;
  progress(p: Progress): void;
  log(m: string): void;
  /** Checked at every poll: true ends the arm running now (and skips the rest). */
  interrupted?(): boolean;
}

export function suitePath(specPath: string, suite: string): string {
  const nextToSpec = resolve(dirname(specPath), suite);
  return existsSync(nextToSpec) ? nextToSpec : resolve(suite);
}

/** What a poll reads: the world's LLM dollars spent and the bounties solved so far. */
async function pollArm(pool: Pool): Promise<{ dollars: number; solved: number }> {
  const r = await pool.query<{ spent: string; solved: number }>(
    `SELECT COALESCE((SELECT spent_micros FROM llm_budget), 0)::text AS spent, (SELECT count(*)::int FROM events WHERE type = 'bounty_solved') AS solved`,
  );
  return { dollars: Number(r.rows[0].spent) / 1_000_000, solved: r.rows[0].solved };
}

/** Why an arm stops now, or null to go on: its budget (less the margin) is spent, or its time is up. */
export function stopReason(p: { dollars: number; elapsed_seconds: number }, limits: ExperimentReport['limits'], marginMicros: number): 'budget' | 'time' | null {
  if (Math.round(p.dollars * 1_000_000) >= Math.round(limits.budget_usd * 1_000_000) - marginMicros) return 'budget';
  if (p.elapsed_seconds >= limits.minutes * 60) return 'time';
  return null;
}

async function runArm(o: RunOptions, world: ArmWorld, limits: ExperimentReport['limits']): Promise<ArmRun['stopped_by']> {
  const poll = world.config.experiments.pollMs;
  for (;;) {
    const elapsed = (Date.now() - world.startedAt.getTime()) / 1000;
    const p = await pollArm(world.pool);
    o.progress({ arm: world.arm, repeat: world.repeat, elapsed_seconds: elapsed, ...p });
    const reason = stopReason({ dollars: p.dollars, elapsed_seconds: elapsed }, limits, world.config.experiments.budgetMarginMicros);
    if (reason) return reason;
    if (o.interrupted?.()) return 'interrupted';
    await new Promise((r) => setTimeout(r, Math.min(poll, Math.max(1, limits.minutes * 60_000 - elapsed * 1000))));
  }
}

export async function runExperiment(o: RunOptions): Promise<{ report: ExperimentReport; paths: { json: string; html: string } }> {
  const { spec } = o;
  const limits = { minutes: o.minutes ?? spec.minutes, budget_usd: o.budgetUsd ?? spec.budget_usd };
  const arms = { ...spec, minutes: limits.minutes, budget_usd: limits.budget_usd };
  const suite = readSuite(suitePath(o.specPath, spec.suite), o.base.limits);
  const started = new Date();
  const runs: ArmRun[] = [];
  let failure: unknown;
  try {
    await runArms(o, arms, suite, limits, runs);
  } catch (e) {
    failure = e;
  }
  // The arms that finished are reported even when a later one failed to start or stop.
  const report = buildReport(spec, limits, runs, started, new Date());
  const paths = writeReport(resolve(o.base.experiments.dir), report, renderReportHtml(report));
  if (failure) {
    o.log(`the experiment failed (${(failure as Error).message}); the ${runs.length} arm run(s) that finished are in ${paths.json}`);
    throw failure;
  }
  return { report, paths };
}

async function runArms(o: RunOptions, spec: ExperimentSpec, suite: Suite, limits: ExperimentReport['limits'], runs: ArmRun[]): Promise<void> {
  for (let repeat = 1; repeat <= spec.repeats && !o.interrupted?.(); repeat++) {
    for (const arm of spec.arms) {
      if (o.interrupted?.()) break;
      o.log(`arm ${arm} #${repeat}: starting a fresh world`);
      const world = await openArmWorld({ base: o.base, spec, suite, arm, repeat, workflowBundle: o.workflowBundle, openai: o.openai, log: o.log });
      let stoppedBy: ArmRun['stopped_by'] = 'interrupted';
      try {
        try {
          stoppedBy = await runArm(o, world, limits);
        } finally {
          await world.stop();
        }
        const ended = new Date();
        const results = await readArmResults(world.pool, { start: world.startedAt, end: ended, points: world.config.experiments.seriesPoints });
        runs.push({
          arm,
          repeat,
          database: world.names.database,
          namespace: world.names.namespace,
          task_queue: world.names.taskQueue,
          started_at: world.startedAt.toISOString(),
          ended_at: ended.toISOString(),
          elapsed_seconds: (ended.getTime() - world.startedAt.getTime()) / 1000,
          stopped_by: stoppedBy,
          kept: o.keepWorlds === true,
          results,
        });
        o.log(`arm ${arm} #${repeat}: stopped by ${stoppedBy}; solved ${results.bounties.solved} for $${results.spend.dollars.toFixed(4)}`);
      } finally {
        await world.close({ keep: o.keepWorlds === true });
      }
    }
  }
}
