import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { EcologyConfig } from '../config/schema';
import { ECOLOGY_WORKFLOW_TYPE, type EcologyWorkflowInput } from './types';

/**
 * Starts the world's root, ecologyWorkflow, under its fixed id (config ecology.workflowId) on the
 * task queue config.temporal.taskQueue, with the configured agents and, when given, the world's id
 * (its activities then run only on that world's workers). USE_EXISTING:
 * when it runs already, nothing changes. It bootstraps itself once a worker serves the queue.
 */
export async function startRootWorkflow(client: Client, config: EcologyConfig, world?: string): Promise<'started' | 'already-running'> {
  const handle = client.workflow.getHandle(config.ecology.workflowId);
  let running = false;
  try {
    running = (await handle.describe()).status.name === 'RUNNING';
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
  }
  const input: EcologyWorkflowInput = world === undefined ? {} : { world };
  await client.workflow.start(ECOLOGY_WORKFLOW_TYPE, {
    workflowId: config.ecology.workflowId,
    taskQueue: config.temporal.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return running ? 'already-running' : 'started';
}
