import type { InvokeActivityOptions } from '../invoke/types';

/** The bounty workflows (workflows/bounty.ts): their types, ids and inputs. */
export const BOUNTY_CHECK_WORKFLOW = 'bountyCheckWorkflow';
export const BOUNTY_DEADLINE_WORKFLOW = 'bountyDeadlineWorkflow';

export const bountyWorkflowIds = {
  check: (world: string, submissionId: number) => `bounty-check-${world}-${submissionId}`,
  deadline: (world: string, bountyId: string) => `bounty-deadline-${world}-${bountyId}`,
};

/** What the workflows take: ids only (prompts and code stay out of history). */
export interface BountyCheckInput {
  submissionId: number;
  /** Where the checker runs (config temporal.sandboxTaskQueue) and the saga's activity options (config sandbox.activities). */
  sandboxTaskQueue: string;
  activities: InvokeActivityOptions;
  world?: string;
}

export interface BountyDeadlineInput {
  bountyId: string;
  /** ISO time the durable timer waits for. */
  deadline: string;
  /** config bounties.deadlineRecheckSeconds: how long to wait for checks still running at the deadline. */
  recheckSeconds: number;
  activities: InvokeActivityOptions;
  world?: string;
}
