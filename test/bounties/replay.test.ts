/**
 * Replay of the bounty workflows (workflows/bounty.ts): test/histories/bounty/ holds real runs
 * (recorded by test/histories/recordWorkflows.ts bounty) of bountyCheckWorkflow (a check that wins
 * in mode first, one that fails, one marked late without a run) and bountyDeadlineWorkflow (a
 * refund, mode best paying the best, a bounty already solved or cancelled, a check started again at
 * the deadline, a start after the deadline). The current workflow code must replay each without a determinism error; workflows
 * that change their order of commands must fail.
 */
import '../agents/support/harness'; // quiet runtime logger
import { eventsOf, expectCleanReplay, expectControlFails, loadHistories, scheduledActivities, workflowResult } from '../support/replay';

const histories = loadHistories('bounty');
const events = (name: string) => eventsOf(histories, name);
const timers = (name: string) => events(name).filter((e) => e.timerStartedEventAttributes).length;

test('the recorded bounty histories cover the branches of both workflows', () => {
  expect(histories.map((h) => h.workflowId)).toEqual([
    'check-failed', 'check-late', 'check-won',
    'deadline-best', 'deadline-cancelled', 'deadline-past', 'deadline-refunded', 'deadline-resumed', 'deadline-solved',
  ]);
  // a check held runs the checker and settles its invocation (the saga's steps), then the verdict
  for (const name of ['check-won', 'check-failed']) {
    expect(scheduledActivities(events(name))).toEqual(['holdBountyCheck', 'runInvocation', 'settleInvocation', 'settleBountySubmission']);
  }
  expect(workflowResult(events('check-won'))).toEqual({ status: 'passed', score: 90 });
  expect(workflowResult(events('check-failed'))).toEqual({ status: 'failed', score: 0 });
  // the bounty was solved before the hold: nothing runs, the submission is late
  expect(scheduledActivities(events('check-late'))).toEqual(['holdBountyCheck', 'settleBountySubmission']);
  expect(workflowResult(events('check-late'))).toEqual({ status: 'late', score: null });

  // a deadline waits on its timer, then closes the bounty (or finds it closed)
  const closed = { 'deadline-refunded': 'refunded', 'deadline-best': 'solved', 'deadline-solved': 'solved', 'deadline-cancelled': 'cancelled' };
  for (const [name, status] of Object.entries(closed)) {
    expect([name, timers(name), scheduledActivities(events(name)), workflowResult(events(name))]).toEqual([name, 1, ['closeBountyAtDeadline'], { status }]);
  }
  // started after its deadline (a post whose hook was lost, replayed late): no timer
  expect([timers('deadline-past'), scheduledActivities(events('deadline-past')), workflowResult(events('deadline-past'))]).toEqual([0, ['closeBountyAtDeadline'], { status: 'refunded' }]);
  // a submission still checking at the deadline: its check is started again, and the close tried after a timer
  expect(timers('deadline-resumed')).toBe(2);
  expect(scheduledActivities(events('deadline-resumed'))).toEqual(['closeBountyAtDeadline', 'resumeBountyChecks', 'closeBountyAtDeadline']);
  expect(workflowResult(events('deadline-resumed'))).toEqual({ status: 'solved' });
});

test('every recorded bounty history replays against the current workflow code', async () => {
  await expectCleanReplay(histories);
});

test('a check that records its verdict before the hold, and a deadline that starts checks again before it first closes, fail replay with a determinism error', async () => {
  await expectControlFails(histories);
});
