import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { EcologyConfig } from '../config/schema';
import type { BountyStarter } from '../bounties/hooks';
import { BOUNTY_CHECK_WORKFLOW, BOUNTY_DEADLINE_WORKFLOW, bountyWorkflowIds, type BountyCheckInput, type BountyDeadlineInput } from '../bounties/keys';

/** A workflow that already ran under this id did its work: starting it again is no error. */
async function startOnce(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
}

/** Starts the bounty workflows (workflows/bounty.ts) on the configured task queue, one per bounty or submission. */
export function bountyStarter(client: Client, config: EcologyConfig, world: () => Promise<string>): BountyStarter {
  // A running workflow is kept; one that completed did its work; one that failed may run again.
  const common = { taskQueue: config.temporal.taskQueue, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' } as const;
  return {
    async startDeadline(bountyId, deadline) {
      const w = await world();
      const input: BountyDeadlineInput = { bountyId, deadline, recheckSeconds: config.bounties.deadlineRecheckSeconds, activities: { ...config.sandbox.activities }, world: w };
      await startOnce(() => client.workflow.start(BOUNTY_DEADLINE_WORKFLOW, { ...common, workflowId: bountyWorkflowIds.deadline(w, bountyId), args: [input] }));
    },
    async startCheck(submissionId) {
      const w = await world();
      const input: BountyCheckInput = { submissionId, sandboxTaskQueue: config.temporal.sandboxTaskQueue, activities: { ...config.sandbox.activities }, world: w };
      await startOnce(() => client.workflow.start(BOUNTY_CHECK_WORKFLOW, { ...common, workflowId: bountyWorkflowIds.check(w, submissionId), args: [input] }));
    },
  };
}
