import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { ensureSchedule, type EnsuredSchedule } from '../temporal/schedules';
import { readWorldId } from '../world/identity';
import { writeNextResolution } from './queries';
import type { OracleResolutionInput } from './types';

/** The workflow type the schedule starts (SPEC section 12). */
export const RESOLUTION_WORKFLOW = 'oracleResolutionWorkflow';

/** The resolution workflow's input for this configuration (no scheduled time: the Schedule supplies it). */
export function resolutionInput(config: EcologyConfig, scheduledTime?: string, world?: string): OracleResolutionInput {
  return { ...(scheduledTime === undefined ? {} : { scheduledTime }), activities: { ...config.oracle.activities }, ...(world === undefined ? {} : { world }) };
}

/** The configured schedule as agents and `genesis_oracle.status` describe it. */
export function scheduleSpecOf(config: EcologyConfig): { interval_seconds: number | null; cron: string | null } {
  return { interval_seconds: config.oracle.intervalSeconds, cron: config.oracle.cron };
}

export interface EnsureScheduleResult {
  scheduleId: string;
  action: EnsuredSchedule['action'];
  paused: boolean;
  nextResolutionAt: Date | null;
}

/**
 * Creates the `oracle-resolution` Schedule from the configuration, or updates it when its spec,
 * action or policies differ (src/temporal/schedules.ts); idempotent and safe to run at every start.
 * With `pool`, the runs carry the world's id (their activities refuse another world's worker) and
 * the next resolution time is stored where `genesis_oracle.status` reads it.
 */
export async function ensureOracleSchedule(
  client: Client,
  config: EcologyConfig,
  opts: { pool?: Pool; taskQueue?: string } = {},
): Promise<EnsureScheduleResult> {
  const o = config.oracle;
  const world = opts.pool ? await readWorldId(opts.pool) : undefined;
  const r = await ensureSchedule(client, o.scheduleId, {
    spec: o.intervalSeconds !== null ? { intervals: [{ every: o.intervalSeconds * 1000 }] } : { cronExpressions: [o.cron as string] },
    action: { type: 'startWorkflow', workflowType: RESOLUTION_WORKFLOW, taskQueue: opts.taskQueue ?? config.temporal.taskQueue, args: [resolutionInput(config, undefined, world)], workflowId: o.scheduleId },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: o.catchupWindowSeconds * 1000 },
    state: { paused: !o.enabled, note: o.enabled ? 'oracle enabled' : 'oracle disabled in configuration' },
  });
  const d = r.description;
  const nextResolutionAt = d.state.paused ? null : (d.info.nextActionTimes[0] ?? null);
  if (opts.pool) await writeNextResolution(opts.pool, nextResolutionAt);
  return { scheduleId: r.scheduleId, action: r.action, paused: d.state.paused, nextResolutionAt };
}

/**
 * The next resolution time: from the Schedule's description when Temporal answers, else computed
 * from the configured interval (Temporal aligns intervals to the Unix epoch), else null.
 */
export async function nextResolutionTime(config: EcologyConfig, client: () => Client, now = new Date()): Promise<Date | null> {
  if (!config.oracle.enabled) return null;
  try {
    const d = await client().schedule.getHandle(config.oracle.scheduleId).describe();
    const next = d.info.nextActionTimes[0];
    if (next) return next;
  } catch {
    // Not reachable from here (or no schedule): fall back to arithmetic.
  }
  return nextIntervalTime(config.oracle.intervalSeconds, now);
}

/** The first multiple of the interval after `now` (epoch-aligned, as Temporal's interval specs are). */
export function nextIntervalTime(intervalSeconds: number | null, now: Date): Date | null {
  if (intervalSeconds === null) return null;
  const every = intervalSeconds * 1000;
  return new Date((Math.floor(now.getTime() / every) + 1) * every);
}
