import { ApplicationFailure } from '@temporalio/activity';
import { isEcologyError } from '../src/errors';

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
      throw ApplicationFailure.nonRetryable(e.message, e.code, e.details ?? null);
    }
    throw e;
  }
}
