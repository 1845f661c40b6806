import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { RESOLUTION_WORKFLOW, resolutionInput } from '../oracle/schedule';
import { writeNextResolution } from '../oracle/queries';
import { readWorldId } from '../world/identity';
import { ensureSchedule, type EnsuredSchedule } from './schedules';

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
