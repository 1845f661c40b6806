import { ApplicationFailure } from '@temporalio/activity';
import { isEcologyError, type ErrorCode } from '../src/errors';

/**
 * Runs an activity body; a business failure (EcologyError, except UNAVAILABLE which may pass) is
 * turned into a non-retryable ApplicationFailure whose type is our error code. Anything else is
 * rethrown for Temporal to retry.
 */
export async function businessFailures<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isEcologyError(e) && e.code !== 'UNAVAILABLE') {
      throw codedFailure(e.code, e.message, true, e.details ?? null);
    }
    throw e;
  }
}

/** A Temporal failure whose type is one of our codes (workflows read it back with errorCodeOf). */
export function codedFailure(code: ErrorCode, message: string, nonRetryable: boolean, ...details: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable, details });
}
