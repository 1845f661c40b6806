/**
 * failureText: one text for a failure wherever it is shown (agent state, spawn records, oracle
 * slots, the worker's one-line log), as the four copies it replaced each gave it.
 */
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import { failureText } from '../../src/temporal/failureText';

const activityFailed = (cause: Error) => new ActivityFailure('Activity task failed', 'agentThink', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);

test('an activity failure is told by what failed inside it, named by its type when asked', () => {
  const e = activityFailed(ApplicationFailure.nonRetryable('the score is not a number', 'SCORE_INVALID'));
  expect(failureText(e)).toBe('the score is not a number');
  expect(failureText(e, { named: true })).toBe('SCORE_INVALID: the score is not a number');
  expect(failureText(activityFailed(ApplicationFailure.create({ message: 'boom' })), { named: true })).toBe('Error: boom');
  expect(failureText(activityFailed(new TimeoutFailure('activity timeout', undefined, 'START_TO_CLOSE')), { named: true })).toBe('TimeoutFailure: activity timeout');
});

test('plain errors and non-errors, cut to maxChars', () => {
  expect(failureText(new Error('x'.repeat(600)), { maxChars: 500 })).toHaveLength(500);
  expect(failureText(new TypeError('bad'), { named: true })).toBe('TypeError: bad');
  expect(failureText('a string thrown')).toBe('a string thrown');
  expect(failureText(null)).toBe('null');
  expect(failureText({ message: 'an object with a message' }, { named: true })).toBe('an object with a message');
});
