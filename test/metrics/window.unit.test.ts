/**
 * metricsWindowWorkflow's branches on the time-skipping test server, its activities mocked (plain
 * functions recording their calls): aggregate then prune; a pruning that fails every attempt does
 * not fail the window; a run started with an empty input stands for its start time and uses the
 * fallback options. Neither PostgreSQL nor a Schedule is needed; the same workflow against the real
 * services is in workflow.test.ts.
 */
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MetricsWindowInput, MetricsWindowSummary } from '../../src/metrics/types';
import { startTimeSkipping, uniqueQueue, withWorkers } from '../support/timeSkipping';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows', 'metrics.ts');
const ACTIVITIES = { timeoutMs: 10_000, initialIntervalMs: 100, maximumIntervalMs: 1000 };

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkipping();
});
afterAll(async () => {
  await env?.teardown();
});

const SUMMARY = { window_start: '2030-01-01T00:00:00.000Z', window_end: '2030-01-01T01:00:00.000Z', minted: 0 } as unknown as MetricsWindowSummary;

function mockMetrics(prune: () => Promise<{ invocations: number; agentActions: number }> = async () => ({ invocations: 0, agentActions: 0 })) {
  const calls: Array<[string, Record<string, unknown>]> = [];
  return {
    calls,
    activities: {
      async metricsAggregateWindow(input: Record<string, unknown>): Promise<MetricsWindowSummary> {
        calls.push(['aggregate', input]);
        return SUMMARY;
      },
      async metricsPruneRetention(input: Record<string, unknown>) {
        calls.push(['prune', input]);
        return prune();
      },
    },
  };
}

async function runWindow(metrics: ReturnType<typeof mockMetrics>, input: MetricsWindowInput | null): Promise<{ summary: MetricsWindowSummary; workflowId: string }> {
  const taskQueue = uniqueQueue('metrics');
  const workflowId = uniqueQueue('window');
  const summary = await withWorkers(env, { workflowsPath: WORKFLOWS, taskQueue, activities: metrics.activities }, () =>
    env.client.workflow.execute('metricsWindowWorkflow', { taskQueue, workflowId, args: [input] }),
  );
  return { summary, workflowId };
}

test('aggregates the window of its scheduled time, then prunes; the summary is the result', async () => {
  const metrics = mockMetrics();
  const { summary } = await runWindow(metrics, { scheduledAt: '2030-01-01T01:00:30Z', windowSeconds: 3600, activities: ACTIVITIES, world: 'w' });
  expect(summary).toEqual(SUMMARY);
  expect(metrics.calls).toEqual([
    ['aggregate', { scheduledAt: '2030-01-01T01:00:30Z', windowSeconds: 3600, world: 'w' }],
    ['prune', { world: 'w' }],
  ]);
});

test('a pruning that fails every attempt does not fail the window', async () => {
  const metrics = mockMetrics(async () => {
    throw new Error('the database is busy');
  });
  const retentionActivities = { ...ACTIVITIES, maximumAttempts: 2 };
  const { summary } = await runWindow(metrics, { scheduledAt: '2030-01-01T01:00:30Z', activities: ACTIVITIES, retentionActivities });
  expect(summary).toEqual(SUMMARY);
  expect(metrics.calls.map(([n]) => n)).toEqual(['aggregate', 'prune', 'prune']);
});

test('started with an empty input, it stands for its start time with the configured window length', async () => {
  const metrics = mockMetrics();
  const { workflowId } = await runWindow(metrics, null);
  const [[name, aggregate]] = metrics.calls;
  expect(name).toBe('aggregate');
  // no window length: the activity uses the configured one
  expect(Object.keys(aggregate!).sort()).toEqual(['scheduledAt']);
  // The test server's clock is virtual (years ahead): the time is the run's, not this machine's.
  const started = (await env.client.workflow.getHandle(workflowId).describe()).startTime.getTime();
  expect(Math.abs(Date.parse(aggregate!.scheduledAt as string) - started)).toBeLessThan(1000);
  expect(metrics.calls.map(([n]) => n)).toEqual(['aggregate', 'prune']);
});
