/**
 * Replay of metricsWindowWorkflow: test/histories/metrics/ holds real runs (recorded by
 * test/histories/recordWorkflows.ts; metrics-window-pre-prune.json before the pruning step existed).
 * The current workflow code must replay each without a determinism error; a window that changes its
 * order of commands must fail.
 */
import '../agents/support/harness'; // quiet runtime logger
import { eventsOf, expectCleanReplay, expectControlFails, loadHistories, scheduledActivities } from '../support/replay';

const histories = loadHistories('metrics');

test('the recorded window histories: one from before the pruning step, one after it', () => {
  expect(histories.map((h) => h.workflowId)).toEqual(['metrics-window-pre-prune', 'metrics-window']);
  expect(scheduledActivities(eventsOf(histories, 'metrics-window-pre-prune'))).toEqual(['metricsAggregateWindow']);
  const current = eventsOf(histories, 'metrics-window');
  expect(scheduledActivities(current)).toEqual(['metricsAggregateWindow', 'metricsPruneRetention']);
  expect(current.some((e) => e.markerRecordedEventAttributes)).toBe(true); // the patch prune-retention
});

test('every recorded window history replays against the current workflow code', async () => {
  await expectCleanReplay(histories);
});

test('a window that prunes before it aggregates fails replay with a determinism error', async () => {
  await expectControlFails(histories);
});
