import { ApplicationFailure } from '@temporalio/common';

/**
 * A failure as one line of text for people (agent state, spawn records, oracle slots, the worker's
 * log): the message of what actually failed (an ActivityFailure or ChildWorkflowFailure only wraps
 * it, as its cause), with `named` prefixed by its kind (an ApplicationFailure's type, which is our
 * error code, else the error's class name), cut to `maxChars`. Deterministic: workflows use it too.
 */
export function failureText(e: unknown, opts: { named?: boolean; maxChars?: number } = {}): string {
  const inner = (e as { cause?: unknown } | null | undefined)?.cause;
  const failure = inner instanceof Error ? inner : e;
  const message = (failure as { message?: unknown } | null | undefined)?.message;
  let text = typeof message === 'string' ? message : String(failure);
  if (opts.named && failure instanceof Error) text = `${failure instanceof ApplicationFailure ? (failure.type ?? 'Error') : failure.name}: ${text}`;
  return opts.maxChars === undefined ? text : text.slice(0, opts.maxChars);
}
