import { CancellationScope, proxyActivities, sleep } from '@temporalio/workflow';
import type { BountyActivities } from '../activities/bounties';
import type { BountyCheckInput, BountyDeadlineInput } from '../src/bounties/keys';
import { ledgerOptions, runAndSettleInvocation } from './invoke';

/**
 * A submission's check (src/bounties): hold the checker's invocation in the submitter's name, run
 * it on the sandbox queue and settle it (the invocation saga's own steps: the submitter pays the
 * CPU), then record the verdict, which in mode first may win the bounty. Started after the submit
 * commits, with an id derived from the world and the submission.
 */
export async function bountyCheckWorkflow(input: BountyCheckInput): Promise<{ status: string; score: number | null }> {
  const acts = proxyActivities<BountyActivities>(ledgerOptions(input.activities));
  const { world, submissionId } = input;
  const held = await CancellationScope.nonCancellable(() => acts.holdBountyCheck({ submissionId, world }));
  if (held.run) await runAndSettleInvocation(held.key, input);
  return CancellationScope.nonCancellable(() => acts.settleBountySubmission({ submissionId, world }));
}

/**
 * A bounty's deadline: a durable timer until it, then close the bounty (refund, or in mode best pay
 * the best); while submissions are still being checked, start their checks again where they are
 * not running and try again after recheckSeconds. A bounty
 * already solved or cancelled is left as it is.
 */
export async function bountyDeadlineWorkflow(input: BountyDeadlineInput): Promise<{ status: string }> {
  const acts = proxyActivities<BountyActivities>(ledgerOptions(input.activities));
  const wait = Date.parse(input.deadline) - Date.now();
  if (wait > 0) await sleep(wait);
  for (;;) {
    const r = await acts.closeBountyAtDeadline({ bountyId: input.bountyId, world: input.world });
    if (r.closed) return { status: r.status };
    // Checks whose start was lost (or whose workflow failed) start again; running ones are kept.
    await acts.resumeBountyChecks({ bountyId: input.bountyId, world: input.world });
    await sleep(input.recheckSeconds * 1000);
  }
}
