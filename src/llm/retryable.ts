import { isEcologyError, type ErrorCode } from '../errors';

/**
 * Which of callLlm's error codes are worth retrying at the activity level. UNAVAILABLE: the
 * provider failed after our own retries, or the rate-limit wait was too long. All others are
 * business refusals that a retry with the same input cannot change (make them non-retryable
 * ApplicationFailures); BUDGET_EXHAUSTED and IN_DEBT clear with time or money, which the caller
 * handles by sleeping, not by retrying.
 */
export const LLM_RETRYABLE_CODES: readonly ErrorCode[] = ['UNAVAILABLE'];

export function isRetryableLlmError(e: unknown): boolean {
  return isEcologyError(e) && LLM_RETRYABLE_CODES.includes(e.code);
}
