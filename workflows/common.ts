import { defineSearchAttributeKey, SearchAttributeType, type RetryPolicy } from '@temporalio/common';
import { workflowInfo, type ActivityOptions } from '@temporalio/workflow';

/**
 * What several workflows need alike: the time a scheduled run stands for, their activity option
 * objects, and failures as text (src/temporal/failureText.ts, shared with non-workflow code).
 */
export { failureText } from '../src/temporal/failureText';

/** The retry timing of activity options in configuration; no maximumAttempts: retried until they succeed. */
export interface RetryTimes {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts?: number;
}

/** Activity options in configuration: a start-to-close timeout and the retry timing. */
export interface ActivityTimes extends RetryTimes {
  timeoutMs: number;
}

/** The retry policy these timings describe (backoff coefficient: Temporal's default, 2). */
export function retryPolicy(o: RetryTimes): RetryPolicy {
  return { initialInterval: o.initialIntervalMs, maximumInterval: o.maximumIntervalMs, ...(o.maximumAttempts === undefined ? {} : { maximumAttempts: o.maximumAttempts }) };
}

/** Options of an activity with a bounded or unbounded number of attempts (o.maximumAttempts). */
export function activityOptions(o: ActivityTimes): ActivityOptions {
  return { startToCloseTimeout: o.timeoutMs, retry: retryPolicy(o) };
}

/** Steps that must finish (the money steps, a metrics window): retried until they succeed, except business failures. */
export function ledgerOptions(o: Omit<ActivityTimes, 'maximumAttempts'>): ActivityOptions {
  return { startToCloseTimeout: o.timeoutMs, retry: retryPolicy({ initialIntervalMs: o.initialIntervalMs, maximumIntervalMs: o.maximumIntervalMs }) };
}

const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** The time a run stands for: `given`, else its Schedule's scheduled start, else the run's start. */
export function scheduledTimeOf(given: string | undefined): string {
  if (given) return given;
  const scheduled = workflowInfo().typedSearchAttributes.get(SCHEDULED_START);
  return (scheduled ?? workflowInfo().runStartTime).toISOString();
}
