import type { Client } from '@temporalio/client';
import type { EcologyConfig } from '../config/schema';
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
