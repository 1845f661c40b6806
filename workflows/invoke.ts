import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities, TimeoutFailure, type ActivityOptions } from '@temporalio/workflow';
import type { SandboxActivities } from '../activities/sandbox';
import type { InvocationSummary, InvokeActivityOptions, InvokeWorkflowInput } from '../src/invoke/types';
import { untilOwnWorld } from './world';

/**
 * The invocation saga of SPEC section 7 on Temporal: hold the price (the workflow's own task
 * queue), run the code (task queue `sandbox`, served only by hosts with Docker), settle: pay the
 * owner, or refund the invoker when the run failed, timed out, or no sandbox worker took it within
 * runScheduleToStartMs. Every step is an idempotent activity keyed by the invocation key. Hold and
 * settle are not cancellable, so a cancelled workflow never leaves a price held.
 */
export async function invokeArtifactWorkflow(input: InvokeWorkflowInput): Promise<InvocationSummary> {
  return invokeArtifactSaga(input);
}

export function ledgerOptions(o: InvokeActivityOptions): ActivityOptions {
  return {
    startToCloseTimeout: o.timeoutMs,
    retry: { initialInterval: o.initialIntervalMs, maximumInterval: o.maximumIntervalMs, backoffCoefficient: 2 },
  };
}

function sandboxOptions(o: InvokeActivityOptions, taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    scheduleToStartTimeout: o.runScheduleToStartMs,
    startToCloseTimeout: o.runTimeoutMs,
    retry: { initialInterval: o.initialIntervalMs, maximumInterval: o.maximumIntervalMs, backoffCoefficient: 2, maximumAttempts: o.runMaximumAttempts },
  };
}

/** Why the run step gave no answer, as the failure settle records (and refunds for). */
function runFailure(e: unknown, input: Pick<InvokeWorkflowInput, 'activities' | 'sandboxTaskQueue'>): { code: string; message: string } {
  const cause = e instanceof ActivityFailure ? e.cause : e;
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START') {
    return {
      code: 'SANDBOX_UNAVAILABLE',
      message: `no sandbox worker (a host with Docker serving task queue ${input.sandboxTaskQueue}) took the run within ${input.activities.runScheduleToStartMs} ms`,
    };
  }
  if (cause instanceof TimeoutFailure) return { code: 'TIMEOUT', message: `the run activity timed out (${cause.timeoutType ?? 'timeout'})` };
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'CRASHED', message: cause.message };
  return { code: 'CRASHED', message: cause instanceof Error ? cause.message : String(cause) };
}

/** The saga itself, for use inside other workflows too (the activities must be registered where they run). */
export async function invokeArtifactSaga(input: InvokeWorkflowInput): Promise<InvocationSummary> {
  const ledger = proxyActivities<SandboxActivities>(ledgerOptions(input.activities));
  const { world } = input;
  const key = input.request.key;

  const held = await CancellationScope.nonCancellable(() => ledger.holdInvocation({ ...input.request, world }));
  if (!held.ok) return { ok: false, error: held.error, replayed: held.replayed, compute_charged: 0 };
  return runAndSettleInvocation(key, input);
}

/**
 * The saga after its hold: run on the sandbox queue, then settle (not cancellable). Also the end
 * of a bounty's check, whose invocation the bounty service holds itself (workflows/bounty.ts).
 */
export async function runAndSettleInvocation(key: string, input: Pick<InvokeWorkflowInput, 'activities' | 'sandboxTaskQueue' | 'world'>): Promise<InvocationSummary> {
  const ledger = proxyActivities<SandboxActivities>(ledgerOptions(input.activities));
  const sandbox = proxyActivities<SandboxActivities>(sandboxOptions(input.activities, input.sandboxTaskQueue));
  const { world } = input;
  let failure: { code: string; message: string } | undefined;
  let cancelled: unknown;
  try {
    // Attempts that reached another world's sandbox worker are no run failure: asked again.
    await untilOwnWorld(() => sandbox.runInvocation({ key, world }), input.activities.maximumIntervalMs);
  } catch (e) {
    if (isCancellation(e)) {
      cancelled = e;
      failure = { code: 'CANCELLED', message: 'the invocation was cancelled before its run reported' };
    } else {
      failure = runFailure(e, input);
    }
  }
  const settled = await CancellationScope.nonCancellable(() => ledger.settleInvocation({ key, failure, world }));
  if (cancelled) throw cancelled;
  return settled;
}
