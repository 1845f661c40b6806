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
