import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { isEcologyError } from '../src/errors';
import { readWorldId, worldMismatch } from '../src/world/identity';
import { codedFailure } from './failures';

/** What a workflow of a world passes to its activities (absent in workflows started before worlds had ids). */
export interface InWorld {
  world?: string;
}

/**
 * Guards the activities of one world's worker (SPEC section 11). Work whose world is another's, or
 * that names an agent this world has no record of, is refused without acting and said loudly. The
 * refusal is a WORLD_MISMATCH failure: retryable for an ordinary activity (a retry may reach the
 * right world's worker); non-retryable for a local one, whose retries would stay on this worker
 * (the workflow then fails its workflow task, which another worker takes: workflows/agent.ts).
 * The refusal is logged as a warning through the activity's logger (it carries the workflow and
 * activity ids).
 */
export function worldGuard(pool: Pool) {
  let own: Promise<string> | undefined;
  const ownWorld = () => (own ??= readWorldId(pool).catch((e: unknown) => ((own = undefined), Promise.reject(e))));
  return async function inOwnWorld<T>(input: InWorld, work: () => Promise<T>): Promise<T> {
    try {
      // Read only when there is something to compare: a bootstrap may run before the migrations.
      if (input.world !== undefined && input.world !== (await ownWorld())) throw worldMismatch(`the workflow belongs to world ${input.world}`);
      return await work();
    } catch (e) {
      if (!isEcologyError(e) || e.code !== 'WORLD_MISMATCH') throw e;
      const mine = await ownWorld();
      const { info, log } = Context.current();
      const message =
        `WORLD_MISMATCH: this worker serves world ${mine}; ${e.message}. Workflow ${info.workflowExecution?.workflowId ?? '?'} (${info.activityType}) ` +
        `refused without acting. Two worlds share task queue ${info.taskQueue}: give each world its own namespace or task queue.`;
      log.warn(message, { code: 'WORLD_MISMATCH', world: mine, workflowWorld: input.world ?? null });
      throw codedFailure('WORLD_MISMATCH', message, info.isLocal);
    }
  };
}
