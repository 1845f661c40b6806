/**
 * Replay of invokeArtifactWorkflow: test/histories/invoke/ holds real runs of the saga (recorded by
 * test/histories/recordWorkflows.ts) through each of its branches. The current workflow code must
 * replay every one without a determinism error; a saga that changes its order of commands must fail.
 */
import '../agents/support/harness'; // quiet runtime logger
import { activityInputs, eventsOf, expectCleanReplay, expectControlFails, loadHistories, scheduledActivities } from '../support/replay';

const histories = loadHistories('invoke');
const events = (branch: string) => eventsOf(histories, `invoke-${branch}`);
const settleFailure = (branch: string) => (activityInputs(events(branch), 'settleInvocation')[0] as { failure?: { code: string } }).failure?.code;

test('the recorded saga histories cover its branches', () => {
  expect(histories.map((h) => h.workflowId)).toEqual(
    ['cancelled', 'hold-refused', 'other-world', 'refunded', 'sandbox-unavailable', 'settled'].map((b) => `invoke-${b}`),
  );
  for (const b of ['settled', 'refunded', 'sandbox-unavailable', 'cancelled']) {
    expect(scheduledActivities(events(b))).toEqual(['holdInvocation', 'runInvocation', 'settleInvocation']);
  }
  // the hold refused: nothing runs, nothing to settle
  expect(scheduledActivities(events('hold-refused'))).toEqual(['holdInvocation']);
  // the run's own failure is read from the database at the settle; a run the workflow never got is named by it
  expect([settleFailure('settled'), settleFailure('refunded')]).toEqual([undefined, undefined]);
  expect(settleFailure('sandbox-unavailable')).toBe('SANDBOX_UNAVAILABLE');
  expect(events('sandbox-unavailable').some((e) => e.activityTaskTimedOutEventAttributes)).toBe(true);
  expect(settleFailure('cancelled')).toBe('CANCELLED');
  expect(events('cancelled').at(-1)!.workflowExecutionCanceledEventAttributes).toBeTruthy();
  // another world's worker refused the run (workflows/world.ts): asked again after a timer
  expect(scheduledActivities(events('other-world'))).toEqual(['holdInvocation', 'runInvocation', 'runInvocation', 'settleInvocation']);
  expect(events('other-world').some((e) => e.timerFiredEventAttributes)).toBe(true);
  expect(events('other-world').find((e) => e.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes!.failure!.applicationFailureInfo!.type).toBe('WORLD_MISMATCH');
});

test('every recorded saga history replays against the current workflow code', async () => {
  await expectCleanReplay(histories);
});

test('a saga that runs the code before it holds the price fails replay with a determinism error', async () => {
  await expectControlFails(histories);
});
