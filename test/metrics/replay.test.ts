/**
 * Replay of metricsWindowWorkflow: test/histories/metrics/ holds real runs (recorded by
 * test/histories/recordWorkflows.ts; metrics-window-pre-prune.json before the pruning step existed).
 * The current workflow code must replay each without a determinism error; a window that changes its
 * order of commands must fail.
 */
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowBundle } from '../agents/support/bundle';
import '../agents/support/harness'; // quiet runtime logger
import { CHANGED_WORKFLOWS, eventsOf, loadHistories, replayAll, scheduledActivities } from '../support/replay';

const histories = loadHistories('metrics');

test('the recorded window histories: one from before the pruning step, one after it', () => {
  expect(histories.map((h) => h.workflowId)).toEqual(['metrics-window-pre-prune', 'metrics-window']);
  expect(scheduledActivities(eventsOf(histories, 'metrics-window-pre-prune'))).toEqual(['metricsAggregateWindow']);
  const current = eventsOf(histories, 'metrics-window');
  expect(scheduledActivities(current)).toEqual(['metricsAggregateWindow', 'metricsPruneRetention']);
  expect(current.some((e) => e.markerRecordedEventAttributes)).toBe(true); // the patch prune-retention
});

test('every recorded window history replays against the current workflow code', async () => {
  const { code } = await workflowBundle();
  const results = await replayAll(code, histories);
  expect(results.map((r) => ({ id: r.id, error: r.error?.message }))).toEqual(histories.map((h) => ({ id: h.workflowId, error: undefined })));
});

test('a window that prunes before it aggregates fails replay with a determinism error', async () => {
  const { code } = await workflowBundle(CHANGED_WORKFLOWS);
  const results = await replayAll(code, histories);
  expect(results).toHaveLength(histories.length);
  for (const r of results) {
    expect(r.error).toBeInstanceOf(DeterminismViolationError);
    expect(r.error!.message).toMatch(/[Nn]ondeterminism/);
  }
});
