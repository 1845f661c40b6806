import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { MetricsActivities } from '../activities/metrics';
import type { MetricsActivityOptions, MetricsWindowInput, MetricsWindowSummary } from '../src/metrics/types';

/**
 * One metrics window (SPEC section 10), started by the `metrics-window` Schedule: a single
 * idempotent activity aggregates the window into metrics_windows. The window follows from the
 * time this run stands for, so a retried or repeated run rewrites the same row.
 */

const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * Options when the input carries none (a run started by hand from the UI with an empty input); the
 * schedule passes config.metrics.activities.
 */
const FALLBACK_OPTIONS: MetricsActivityOptions = { timeoutMs: 60_000, initialIntervalMs: 1_000, maximumIntervalMs: 30_000 };

/** The time this run stands for: given, else the Schedule's scheduled start, else the run's start. */
function scheduledAtOf(input: MetricsWindowInput): string {
  if (input.scheduledAt) return input.scheduledAt;
  const scheduled = workflowInfo().typedSearchAttributes.get(SCHEDULED_START);
  return (scheduled ?? workflowInfo().runStartTime).toISOString();
}

export async function metricsWindowWorkflow(given?: MetricsWindowInput | null): Promise<MetricsWindowSummary> {
  const input = given ?? {};
  const o = input.activities ?? FALLBACK_OPTIONS;
  const { metricsAggregateWindow } = proxyActivities<MetricsActivities>({
    startToCloseTimeout: o.timeoutMs,
    retry: { initialInterval: o.initialIntervalMs, maximumInterval: o.maximumIntervalMs, backoffCoefficient: 2 },
  });
  return metricsAggregateWindow({ scheduledAt: scheduledAtOf(input), ...(input.windowSeconds ? { windowSeconds: input.windowSeconds } : {}), world: input.world });
}
