/**
 * Deliberately changed workflows, for the replay controls only (test/support/replay.ts
 * CHANGED_WORKFLOWS): each issues the commands of the real one in another order. Replaying the
 * recorded histories against this bundle must fail with a determinism error, which proves the
 * replay tests can catch a change like that.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BountyActivities } from '../../activities/bounties';
import type { EcologyActivities } from '../../activities/ecology';
import type { MetricsActivities } from '../../activities/metrics';
import type { OracleActivities } from '../../activities/oracle';
import type { SandboxActivities } from '../../activities/sandbox';
import type { BountyCheckInput, BountyDeadlineInput } from '../../src/bountyChecks/workflowInput';
import type { EcologyWorkflowInput } from '../../src/ecology/types';
import type { InvokeWorkflowInput } from '../../src/invoke/types';
import type { MetricsWindowInput } from '../../src/metrics/types';
import type { OracleResolutionInput } from '../../src/oracle/types';
import { ecologyWorkflow as realEcologyWorkflow } from '../../workflows/ecology';

const OPTIONS = { startToCloseTimeout: '1 minute' } as const;

/** Runs the code before it holds the price (the real saga holds first). */
export async function invokeArtifactWorkflow(input: InvokeWorkflowInput): Promise<unknown> {
  const acts = proxyActivities<SandboxActivities>(OPTIONS);
  const { key } = input.request;
  await acts.runInvocation({ key, world: input.world });
  await acts.holdInvocation({ ...input.request, world: input.world });
  return acts.settleInvocation({ key, world: input.world });
}

/** Finishes a resolution before it settles it (the real one settles first). */
export async function oracleResolutionWorkflow(input: OracleResolutionInput): Promise<unknown> {
  const acts = proxyActivities<OracleActivities>(OPTIONS);
  const { world } = input;
  const opened = await acts.oracleOpenResolution({ scheduledTime: input.scheduledTime ?? '', world });
  const score = (slot: number) =>
    acts.oracleScoreSlot({ resolutionId: opened.resolution_id, slot, world }).then(
      (s) => ({ ok: true as const, score: s.score, reason: s.reason }),
      (e: Error) => ({ ok: false as const, error: e.message }),
    );
  const outcomes = await Promise.all(opened.slots.map(async (slot) => ({ slot, outcome: await score(slot) })));
  await acts.oracleFinishResolution({ resolutionId: opened.resolution_id, world });
  return acts.oracleSettleResolution({ resolutionId: opened.resolution_id, outcomes, world });
}

/** Prunes before it aggregates the window (the real one aggregates first). */
export async function metricsWindowWorkflow(input?: MetricsWindowInput | null): Promise<unknown> {
  const acts = proxyActivities<MetricsActivities>(OPTIONS);
  await acts.metricsPruneRetention({ world: input?.world });
  return acts.metricsAggregateWindow({ scheduledAt: input?.scheduledAt ?? '', world: input?.world });
}

/** Reads the world for its summary before anything else (the real root bootstraps, or refreshes later). */
export async function ecologyWorkflow(input?: EcologyWorkflowInput | null): Promise<unknown> {
  await proxyActivities<EcologyActivities>(OPTIONS).ecologySnapshot({ world: input?.world });
  return realEcologyWorkflow(input);
}

/** Records the verdict before it holds the check (the real check holds, runs and settles first). */
export async function bountyCheckWorkflow(input: BountyCheckInput): Promise<unknown> {
  const acts = proxyActivities<BountyActivities>(OPTIONS);
  const { submissionId, world } = input;
  const verdict = await acts.settleBountySubmission({ submissionId, world });
  await acts.holdBountyCheck({ submissionId, world });
  return verdict;
}

/** Starts the checks again before it first tries to close the bounty (the real one closes first). */
export async function bountyDeadlineWorkflow(input: BountyDeadlineInput): Promise<unknown> {
  const acts = proxyActivities<BountyActivities>(OPTIONS);
  const wait = Date.parse(input.deadline) - Date.now();
  if (wait > 0) await sleep(wait);
  await acts.resumeBountyChecks({ bountyId: input.bountyId, world: input.world });
  return acts.closeBountyAtDeadline({ bountyId: input.bountyId, world: input.world });
}
