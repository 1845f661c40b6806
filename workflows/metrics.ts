import { ActivityFailure, log, patched, proxyActivities } from '@temporalio/workflow';
import type { MetricsActivities } from '../activities/metrics';
import type { MetricsActivityOptions, MetricsWindowInput, MetricsWindowSummary, RetentionActivityOptions } from '../src/metrics/types';
import { activityOptions, failureText, ledgerOptions, scheduledTimeOf } from './common';

/**
 * One metrics window (SPEC section 10), started by the `metrics-window` Schedule: a single
 * idempotent activity aggregates the window into metrics_windows. The window follows from the
 * time this run stands for, so a retried or repeated run rewrites the same row. Then stored results
 * older than their retention are pruned (src/db/retention.ts).
 */

/** Runs recorded before the pruning step existed replay without it. */
const PRUNE_RETENTION = 'prune-retention';

/**
 * Options when the input carries none (a run started by hand from the UI with an empty input); the
 * schedule passes config.metrics.activities and config.retention.activities.
 */
const FALLBACK_OPTIONS: MetricsActivityOptions = { timeoutMs: 60_000, initialIntervalMs: 1_000, maximumIntervalMs: 30_000 };
const FALLBACK_RETENTION_OPTIONS: RetentionActivityOptions = { timeoutMs: 120_000, initialIntervalMs: 1_000, maximumIntervalMs: 30_000, maximumAttempts: 3 };

/** Pruning is bounded in attempts and never fails the window: the next window's run goes on with it. */
async function pruneRetention(input: MetricsWindowInput): Promise<void> {
  const o = input.retentionActivities ?? FALLBACK_RETENTION_OPTIONS;
  const { metricsPruneRetention } = proxyActivities<MetricsActivities>(activityOptions(o));
  try {
    await metricsPruneRetention({ world: input.world });
  } catch (e) {
    if (!(e instanceof ActivityFailure)) throw e;
    log.warn('retention pruning failed; the next metrics window tries again', { error: failureText(e) });
  }
}

export async function metricsWindowWorkflow(given?: MetricsWindowInput | null): Promise<MetricsWindowSummary> {
  const input = given ?? {};
  const o = input.activities ?? FALLBACK_OPTIONS;
  const { metricsAggregateWindow } = proxyActivities<MetricsActivities>(ledgerOptions(o));
  const summary = await metricsAggregateWindow({ scheduledAt: scheduledTimeOf(input.scheduledAt), ...(input.windowSeconds ? { windowSeconds: input.windowSeconds } : {}), world: input.world });
  if (patched(PRUNE_RETENTION)) await pruneRetention(input);
  return summary;
}
