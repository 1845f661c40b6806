import type { InvokeActivityOptions } from '../invoke/types';

/**
 * Ids the bounty service derives. They start with "bounty:" (or contain ':' after a caller's key),
 * which no caller-chosen id or key can (src/validation.ts reserves "bounty"), so they never collide
 * with a caller's. Workflow ids carry the world, so two worlds on one Temporal never share one.
 */
export const bountyIds = {
  /** The reward poster -> hold_bounty, in post's transaction. */
  hold: (postKey: string) => `${postKey}:bounty_hold`,
  /** The reward hold_bounty -> winner, or back to the poster; a bounty closes once, so one of them. */
  pay: (bountyId: string) => `bounty:${bountyId}:pay`,
  refund: (bountyId: string) => `bounty:${bountyId}:refund`,
  /** The checker's invocation (invocations.key) for one submission. */
  check: (bountyId: string, submissionId: number) => `bounty:${bountyId}:check:${submissionId}`,
};

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
