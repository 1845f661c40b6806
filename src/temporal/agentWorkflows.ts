import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import type { AgentControl } from '../agents/types';
import { AGENT_WORKFLOW_TYPE, agentWorkflowId, type AgentWorkflowInput } from '../agents/types';
import type { EcologyConfig } from '../config/schema';
import { agentSignals } from '../agents/signals';
import { readWorldId } from '../world/identity';

/**
 * Starts `agent-<id>` on the configured task queue. An already running workflow is fine
 * (USE_EXISTING); a finished one is started afresh (ALLOW_DUPLICATE). `world` is the id of the
 * world (database) the agent lives in (src/world/identity.ts): its workflow carries it.
 */
export async function startAgentWorkflow(client: Client, config: EcologyConfig, agentId: string, world: string): Promise<void> {
  const input: AgentWorkflowInput = { agentId, world };
  await client.workflow.start(AGENT_WORKFLOW_TYPE, {
    workflowId: agentWorkflowId(agentId),
    taskQueue: config.temporal.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}

/** Signals an agent's workflow; false when it is not running. */
export async function signalAgent<Args extends unknown[]>(client: Client, agentId: string, signal: SignalDefinition<Args>, ...args: Args): Promise<boolean> {
  try {
    await client.workflow.getHandle(agentWorkflowId(agentId)).signal(signal, ...args);
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false;
    throw e;
  }
}

export function agentControl(client: Client, config: EcologyConfig, world: () => Promise<string>): AgentControl {
  return {
    start: async (agentId) => startAgentWorkflow(client, config, agentId, await world()),
    signal: (agentId, signal, ...args) => signalAgent(client, agentId, agentSignals[signal], ...args),
  };
}

/** Starts the workflow of every agent artifact that lacks a running one (operators, restarts). */
export async function startAllAgentWorkflows(pool: Pool, client: Client, config: EcologyConfig): Promise<string[]> {
  const ids = (await pool.query<{ id: string }>('SELECT id FROM artifacts WHERE has_standing AND can_execute AND NOT genesis ORDER BY id')).rows.map((r) => r.id);
  const world = await readWorldId(pool);
  for (const id of ids) await startAgentWorkflow(client, config, id, world);
  return ids;
}
