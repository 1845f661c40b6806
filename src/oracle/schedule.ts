import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
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

function desiredSchedule(config: EcologyConfig, taskQueue: string, world: string | undefined): Omit<ScheduleOptions, 'scheduleId'> & { fingerprint: string } {
  const o = config.oracle;
  const spec = o.intervalSeconds !== null ? { intervals: [{ every: o.intervalSeconds * 1000 }] } : { cronExpressions: [o.cron as string] };
  const args = [resolutionInput(config, undefined, world)];
  // Compared with what the schedule carries, to update it when the configuration changed.
  const fingerprint = JSON.stringify({ spec, taskQueue, args, catchup: o.catchupWindowSeconds });
  return {
    fingerprint,
    spec,
    action: { type: 'startWorkflow', workflowType: RESOLUTION_WORKFLOW, taskQueue, args, workflowId: o.scheduleId, memo: { oracleConfig: fingerprint } },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: o.catchupWindowSeconds * 1000 },
    state: { paused: !o.enabled, note: o.enabled ? 'oracle enabled' : 'oracle disabled in configuration' },
  };
}

async function describeOrNull(client: Client, scheduleId: string): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) return null;
    throw e;
  }
}

export interface EnsureScheduleResult {
  scheduleId: string;
  action: 'created' | 'updated' | 'unchanged';
  paused: boolean;
  nextResolutionAt: Date | null;
}

/**
 * Creates the `oracle-resolution` Schedule from the configuration, or updates it when its spec,
 * action or policies differ; idempotent and safe to run at every start. With `pool`, the runs carry
 * the world's id (their activities refuse another world's worker) and the next resolution time is
 * stored where `genesis_oracle.status` reads it.
 */
export async function ensureOracleSchedule(
  client: Client,
  config: EcologyConfig,
  opts: { pool?: Pool; taskQueue?: string } = {},
): Promise<EnsureScheduleResult> {
  const scheduleId = config.oracle.scheduleId;
  const want = desiredSchedule(config, opts.taskQueue ?? config.temporal.taskQueue, opts.pool ? await readWorldId(opts.pool) : undefined);
  const { fingerprint, ...options } = want;
  const handle = client.schedule.getHandle(scheduleId);
  let action: EnsureScheduleResult['action'] = 'unchanged';
  let current = await describeOrNull(client, scheduleId);
  if (!current) {
    try {
      await client.schedule.create({ scheduleId, ...options });
      action = 'created';
    } catch (e) {
      // Another process created it first: fall through to the comparison.
      if ((e as Error).name !== 'ScheduleAlreadyRunning') throw e;
    }
    current = await handle.describe();
  }
  const memo = current.action.type === 'startWorkflow' ? (current.action.memo as { oracleConfig?: unknown } | undefined) : undefined;
  if (action !== 'created' && (memo?.oracleConfig !== fingerprint || current.state.paused !== !config.oracle.enabled)) {
    await handle.update(() => ({ spec: options.spec, action: options.action, policies: options.policies, state: { paused: !config.oracle.enabled, note: options.state?.note } }));
    action = 'updated';
    current = await handle.describe();
  }
  const nextResolutionAt = current.state.paused ? null : (current.info.nextActionTimes[0] ?? null);
  if (opts.pool) await writeNextResolution(opts.pool, nextResolutionAt);
  return { scheduleId, action, paused: current.state.paused, nextResolutionAt };
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
