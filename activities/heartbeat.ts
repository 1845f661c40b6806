import { Context } from '@temporalio/activity';

/** What a long activity body gets: a heartbeat for its own waits, and the activity's cancellation. */
export interface Liveness {
  heartbeat: () => void;
  /** Aborted when the activity is cancelled (the workflow cancelled it, the worker shuts down). */
  signal: AbortSignal;
}

/**
 * Runs `work` while heartbeating every third of the activity's heartbeat timeout (not at all
 * without one), so an attempt whose worker died is retried soon. `work` gets the activity's
 * cancellation signal, to abort what it waits for (an LLM call closes its provider request); the
 * activity also stops waiting for `work` as soon as it is cancelled.
 */
export async function heartbeating<T>(work: (live: Liveness) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const heartbeat = () => ctx.heartbeat();
  const timeout = ctx.info.heartbeatTimeoutMs ?? 0;
  const timer = timeout > 0 ? setInterval(heartbeat, Math.max(100, Math.floor(timeout / 3))) : undefined;
  try {
    return await Promise.race([work({ heartbeat, signal: ctx.cancellationSignal }), ctx.cancelled]);
  } finally {
    if (timer) clearInterval(timer);
  }
}
