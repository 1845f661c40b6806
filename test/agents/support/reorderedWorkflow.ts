/**
 * A deliberately changed agentWorkflow, for the replay test only: it thinks before it checks
 * readiness (the real one checks first). Replaying recorded histories against it must fail with a
 * determinism error, which proves the replay test can catch a change like that.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { AgentActivities } from '../../../activities/agents';
import type { AgentWorkflowInput } from '../../../src/agents/types';

export async function agentWorkflow(input: AgentWorkflowInput): Promise<void> {
  const acts = proxyActivities<AgentActivities>({ startToCloseTimeout: '1 minute' });
  await acts.agentThink({ agentId: input.agentId, iteration: input.iteration ?? 0, attempt: 0 });
  await acts.agentReadiness({ agentId: input.agentId });
}
