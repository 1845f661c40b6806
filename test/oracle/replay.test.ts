/**
 * Replay of oracleResolutionWorkflow: test/histories/oracle/ holds real resolutions (recorded by
 * test/histories/recordWorkflows.ts): one with a slot scored and one whose score was invalid,
 * finishing an earlier resolution left open; one with no bids. The current workflow code must
 * replay each without a determinism error; a resolution that changes its order of commands must fail.
 */
import '../agents/support/harness'; // quiet runtime logger
import { eventsOf, expectCleanReplay, expectControlFails, loadHistories, scheduledActivities } from '../support/replay';

const histories = loadHistories('oracle');

test('the recorded resolution histories cover its branches', () => {
  expect(histories.map((h) => h.workflowId)).toEqual(['oracle-empty', 'oracle-resolved']);
  const resolve = (slots: number) => ['oracleOpenResolution', ...Array<string>(slots).fill('oracleScoreSlot'), 'oracleSettleResolution', 'oracleFinishResolution'];
  expect(scheduledActivities(eventsOf(histories, 'oracle-empty'))).toEqual(resolve(0));
  // two slots (one scored, one refused by the scorer), then the earlier unfinished resolution's one slot
  const resolved = eventsOf(histories, 'oracle-resolved');
  expect(scheduledActivities(resolved)).toEqual([...resolve(2), ...resolve(1)]);
  expect(resolved.filter((e) => e.activityTaskFailedEventAttributes)).toHaveLength(1);
});

test('every recorded resolution history replays against the current workflow code', async () => {
  await expectCleanReplay(histories);
});

test('a resolution that finishes before it settles fails replay with a determinism error', async () => {
  await expectControlFails(histories);
});
