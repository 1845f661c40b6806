import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { holdBountyCheck, type CheckHold } from '../src/bounties/check';
import { closeAtDeadline, settleSubmission, type DeadlineOutcome } from '../src/bounties/settle';
import { checkingSubmissions, type SubmissionStatus } from '../src/bounties/queries';
import { bountyStarter } from '../src/temporal/bountyWorkflows';
import { readWorldId } from '../src/world/identity';
import type { EcologyConfig } from '../src/config/schema';
import { businessFailures } from './failures';
import { worldGuard, type InWorld } from './world';

export interface BountyActivityDeps {
  pool: Pool;
  config: EcologyConfig;
  /** Starts checks again (resumeBountyChecks). */
  temporal: Client;
  log?: (message: string) => void;
}

/**
 * The bounty workflows' steps (workflows/bounty.ts), each one idempotent transaction: hold a
 * submission's check, record its verdict, close a bounty at its deadline. The checker's run and
 * the invocation's settle are the invocation saga's own activities (activities/sandbox.ts).
 */
export function createBountyActivities(deps: BountyActivityDeps) {
  const inOwnWorld = worldGuard(deps.pool, deps.log);
  return {
    async holdBountyCheck(input: { submissionId: number } & InWorld): Promise<CheckHold> {
      return businessFailures(() => inOwnWorld(input, () => holdBountyCheck(deps.pool, deps.config, input.submissionId)));
    },
    async settleBountySubmission(input: { submissionId: number; failure?: string } & InWorld): Promise<{ status: SubmissionStatus; score: number | null }> {
      return businessFailures(() =>
        inOwnWorld(input, async () => {
          const s = await settleSubmission(deps.pool, deps.config, input.submissionId, input.failure);
          return { status: s.status, score: s.score };
        }),
      );
    },
    /**
     * At the deadline, submissions still being checked get their check workflow started again: a
     * start lost between a submit's commit and its hook (a crashed process), or a check whose
     * workflow failed, would otherwise keep the bounty from ever closing. Running checks are kept.
     */
    async resumeBountyChecks(input: { bountyId: string } & InWorld): Promise<number> {
      return businessFailures(() =>
        inOwnWorld(input, async () => {
          const starter = bountyStarter(deps.temporal, deps.config, () => readWorldId(deps.pool));
          const ids = await checkingSubmissions(deps.pool, input.bountyId);
          for (const id of ids) await starter.startCheck(id);
          return ids.length;
        }),
      );
    },
    async closeBountyAtDeadline(input: { bountyId: string } & InWorld): Promise<DeadlineOutcome> {
      return businessFailures(() => inOwnWorld(input, () => closeAtDeadline(deps.pool, deps.config, input.bountyId)));
    },
  };
}

export type BountyActivities = ReturnType<typeof createBountyActivities>;
