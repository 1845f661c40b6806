/**
 * The saga of an executable artifact through Temporal rather than in this process: start
 * invokeArtifactWorkflow (workflow id `invoke-<key>`, attaching to one already running under that
 * key), wait for it, and read the outcome from PostgreSQL (the code's result never travels through
 * workflow history). Use it as InvokeDeps.runSaga where invocations should run on the sandbox task
 * queue, e.g. an agent's act step on a host without Docker.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { readWorldId } from '../world/identity';
import { invocationOutcome } from './settle';
import type { InvocationOutcome, InvokeWorkflowInput, SagaRequest, SagaRunner } from './types';

export const INVOKE_WORKFLOW_TYPE = 'invokeArtifactWorkflow';

export function invokeWorkflowId(key: string): string {
  return `invoke-${key}`;
}

export function invokeWorkflowInput(config: EcologyConfig, request: SagaRequest, world?: string): InvokeWorkflowInput {
  const { deadlineMs: _deadline, callBudget: _budget, spendChain: _chain, spendAllow: _allow, ...req } = request;
  return {
    request: { ...req, depth: req.depth ?? 0 },
    sandboxTaskQueue: config.temporal.sandboxTaskQueue,
    activities: { ...config.sandbox.activities },
    ...(world === undefined ? {} : { world }),
  };
}

export function temporalSagaRunner(client: Client, deps: { pool: Pool; config: EcologyConfig }): SagaRunner {
  return async (req: SagaRequest): Promise<InvocationOutcome> => {
    const done = await invocationOutcome(deps, req.key);
    if (done) return done;
    const handle = await client.workflow.start(INVOKE_WORKFLOW_TYPE, {
      taskQueue: deps.config.temporal.taskQueue,
      workflowId: invokeWorkflowId(req.key),
      args: [invokeWorkflowInput(deps.config, req, await readWorldId(deps.pool))],
      // A retry of the caller attaches to the saga already running under this key; a saga that
      // already ended is read from the database above, and running one again would only replay.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const summary = await handle.result();
    const outcome = await invocationOutcome(deps, req.key);
    if (outcome) return { ...outcome, replayed: summary.replayed };
    // The hold was refused (nothing settled): the summary is the whole outcome.
    return summary.ok ? { ...summary, result: null } : summary;
  };
}
