import { ScheduleNotFoundError, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';

/** The memo key under which a schedule's start-workflow action carries the fingerprint of its options. */
const FINGERPRINT_MEMO = 'scheduleFingerprint';

export type StartWorkflowScheduleOptions = Omit<ScheduleOptions, 'scheduleId'> & { action: { type: 'startWorkflow' } };

export interface EnsuredSchedule {
  scheduleId: string;
  action: 'created' | 'updated' | 'unchanged';
  description: ScheduleDescription;
}

export async function describeScheduleOrNull(client: Client, scheduleId: string): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) return null;
    throw e;
  }
}

/**
 * Makes the schedule `scheduleId` what `options` say: creates it when missing, updates it when its
 * spec, action, policies or paused state differ from the last ones written (compared through a
 * fingerprint of `options` kept in the action's memo), else leaves it alone. Idempotent and safe to
 * run at every start, from several processes at once.
 */
export async function ensureSchedule(client: Client, scheduleId: string, options: StartWorkflowScheduleOptions): Promise<EnsuredSchedule> {
  const paused = options.state?.paused ?? false;
  const fingerprint = JSON.stringify({ spec: options.spec, action: options.action, policies: options.policies, paused });
  const action = { ...options.action, memo: { ...(options.action.memo ?? {}), [FINGERPRINT_MEMO]: fingerprint } } as StartWorkflowScheduleOptions['action'];
  const handle = client.schedule.getHandle(scheduleId);
  let current = await describeScheduleOrNull(client, scheduleId);
  if (!current) {
    try {
      await client.schedule.create({ ...options, scheduleId, action });
      return { scheduleId, action: 'created', description: await handle.describe() };
    } catch (e) {
      // Another process created it first: compare with what it wrote.
      if ((e as Error).name !== 'ScheduleAlreadyRunning') throw e;
      current = await handle.describe();
    }
  }
  const memo = current.action.type === 'startWorkflow' ? (current.action.memo as Record<string, unknown> | undefined) : undefined;
  if (memo?.[FINGERPRINT_MEMO] === fingerprint && current.state.paused === paused) return { scheduleId, action: 'unchanged', description: current };
  await handle.update(() => ({ spec: options.spec, action, policies: options.policies, state: { paused, note: options.state?.note } }));
  return { scheduleId, action: 'updated', description: await handle.describe() };
}
