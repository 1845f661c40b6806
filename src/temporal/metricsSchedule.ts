import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { EcologyConfig } from '../config/schema';
import { ensureSchedule } from './schedules';
import type { MetricsWindowInput } from '../metrics/types';

/** The workflow type the schedule starts (SPEC section 12). */
export const METRICS_WORKFLOW = 'metricsWindowWorkflow';

export interface EnsureMetricsScheduleResult {
  scheduleId: string;
  action: 'created' | 'updated' | 'unchanged';
  paused: boolean;
  /** Seconds between aggregations, as the schedule now says. */
  everySeconds: number;
  nextActionAt: Date | null;
}

/**
 * Creates the `metrics-window` Schedule (config.metrics.scheduleId) or brings it in line with the
 * configuration: every `windowSeconds`, offset by `lagSeconds` so each run comes just after the
 * window it aggregates ends; overlap SKIP; paused unless enabled; its runs carry `world` when given
 * (their activity refuses another world's worker). Idempotent.
 */
export async function ensureMetricsSchedule(client: Client, config: EcologyConfig, opts: { taskQueue?: string; world?: string } = {}): Promise<EnsureMetricsScheduleResult> {
  const m = config.metrics;
  const input: MetricsWindowInput = {
    windowSeconds: m.windowSeconds,
    activities: { ...m.activities },
    retentionActivities: { ...config.retention.activities },
    ...(opts.world === undefined ? {} : { world: opts.world }),
  };
  const r = await ensureSchedule(client, m.scheduleId, {
    spec: { intervals: [{ every: m.windowSeconds * 1000, offset: m.lagSeconds * 1000 }] },
    action: { type: 'startWorkflow', workflowType: METRICS_WORKFLOW, taskQueue: opts.taskQueue ?? config.temporal.taskQueue, args: [input], workflowId: m.scheduleId },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: m.catchupWindowSeconds * 1000 },
    state: { paused: !m.enabled, note: m.enabled ? 'metrics enabled' : 'metrics disabled in configuration' },
  });
  const d = r.description;
  const every = d.spec.intervals?.[0]?.every;
  return {
    scheduleId: r.scheduleId,
    action: r.action,
    paused: d.state.paused,
    everySeconds: typeof every === 'number' ? every / 1000 : Number.NaN,
    nextActionAt: d.state.paused ? null : (d.info.nextActionTimes[0] ?? null),
  };
}
