import { ActivityFailure, ApplicationFailure, sleep } from '@temporalio/workflow';
import type { ErrorCode } from '../src/errors';

/**
 * A worker of another world (another database on the same task queue) refused an activity without
 * acting (activities/world.ts). A local activity's failure arrives unwrapped.
 */
export function refusedByOtherWorld(e: unknown): boolean {
  const failure = e instanceof ActivityFailure ? e.cause : e;
  return failure instanceof ApplicationFailure && failure.type === ('WORLD_MISMATCH' satisfies ErrorCode);
}

/**
 * Runs an ordinary activity until a worker of the workflow's own world takes it: when every attempt
 * of its retry policy reached another world's worker, it is asked again after `pauseMs`.
 */
export async function untilOwnWorld<T>(run: () => Promise<T>, pauseMs: number): Promise<T> {
  for (;;) {
    try {
      return await run();
    } catch (e) {
      if (!refusedByOtherWorld(e)) throw e;
      await sleep(pauseMs);
    }
  }
}
