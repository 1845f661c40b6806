/**
 * metricsWindowWorkflow and the `metrics-window` Schedule on the real Temporal dev server, with an
 * in-process worker serving only that workflow (workflows/metrics.ts) on a task queue of its own.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client, ScheduleExecutionResult } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createMetricsActivities } from '../../activities/metrics';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { loadConfig } from '../../src/config/load';
import type { EcologyConfig } from '../../src/config/schema';
import { PRUNED_ACTION_RESULT } from '../../src/db/retention';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { getWindow } from '../../src/metrics/queries';
import { ensureMetricsSchedule } from '../../src/temporal/metricsSchedule';
import type { MetricsWindowSummary } from '../../src/metrics/types';
import { windowBefore } from '../../src/metrics/window';
import { connectClient } from '../../src/temporal/connection';
import { workflowBundle } from '../agents/support/bundle';
import { createTestDatabase, type TestDatabase } from '../support/testDb';

const WINDOW_SECONDS = 3600;
const suffix = randomBytes(4).toString('hex');

let db: TestDatabase;
let config: EcologyConfig;
let client: Client;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

function configWith(metrics: Record<string, unknown> = {}): EcologyConfig {
  return loadConfig({
    overrides: {
      database: { url: db.url },
      temporal: { taskQueue: `metrics-test-${suffix}`, address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' },
      metrics: {
        scheduleId: `metrics-window-test-${suffix}`,
        windowSeconds: WINDOW_SECONDS,
        lagSeconds: 30,
        activities: { timeoutMs: 20_000, initialIntervalMs: 100, maximumIntervalMs: 500 },
        ...metrics,
      },
    },
  });
}

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process.
  }
  db = await createTestDatabase();
  await bootstrapGenesis(db.pool);
  config = configWith();
  // The only scrip movement in this database: 40 minted to one agent.
  await createOperatorPrincipal(db.pool, config, { id: 'solo', kind: 'agent', scrip: 40, compute: 100 });
  client = await connectClient(config);
  connection = await NativeConnection.connect({ address: config.temporal.address });
  const { code } = await workflowBundle(join(__dirname, '..', '..', 'workflows', 'metrics.ts'));
  worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { code },
    activities: createMetricsActivities({ pool: db.pool, config }),
  });
  running = worker.run();
});

afterAll(async () => {
  await client?.schedule.getHandle(config.metrics.scheduleId).delete().catch(() => undefined);
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await connection?.close().catch(() => undefined);
  await client?.connection.close().catch(() => undefined);
  await db?.drop();
});

/** The window holding the issuance, and a scheduled time just after it ends (as the schedule fires). */
async function issuanceWindow(): Promise<{ start: Date; end: Date; scheduledAt: string }> {
  const at = (await db.pool.query<{ created_at: Date }>('SELECT created_at FROM journal')).rows[0]!.created_at;
  const after = new Date(at.getTime() + WINDOW_SECONDS * 1000);
  const w = windowBefore(after, WINDOW_SECONDS);
  return { ...w, scheduledAt: new Date(w.end.getTime() + config.metrics.lagSeconds * 1000).toISOString() };
}

function execute(input: unknown, id: string): Promise<MetricsWindowSummary> {
  return client.workflow.execute('metricsWindowWorkflow', { args: [input], taskQueue: config.temporal.taskQueue, workflowId: `${id}-${suffix}` });
}

describe('metricsWindowWorkflow', () => {
  it('aggregates the window that ended before its scheduled time into metrics_windows', async () => {
    const w = await issuanceWindow();
    const summary = await execute({ scheduledAt: w.scheduledAt, windowSeconds: WINDOW_SECONDS, activities: config.metrics.activities }, 'metrics-direct');
    expect(summary).toMatchObject({ window_start: w.start.toISOString(), window_end: w.end.toISOString(), transfer_count: 1, transfer_volume: 40, minted: 40, scrip_supply: 40 });
    // The breakdowns stay in PostgreSQL, out of the workflow history.
    expect(summary).not.toHaveProperty('data');
    const row = await getWindow(db.pool, w.start);
    expect(row).toMatchObject({ transfer_count: 1, scrip_supply: 40, data: { transfers: { by_kind: { issuance: { count: 1, volume: 40 } } } } });
  });

  it('a second run for the same time rewrites the same row', async () => {
    const w = await issuanceWindow();
    await execute({ scheduledAt: w.scheduledAt, windowSeconds: WINDOW_SECONDS }, 'metrics-again');
    const n = await db.pool.query('SELECT count(*)::int AS n FROM metrics_windows WHERE window_start = $1', [w.start]);
    expect(n.rows[0].n).toBe(1);
  });

  it('started with an empty input, aggregates the last whole window with the configured length', async () => {
    const summary = await execute(null, 'metrics-empty');
    const end = Date.parse(summary.window_end);
    expect(end % (WINDOW_SECONDS * 1000)).toBe(0);
    expect(Date.parse(summary.window_start)).toBe(end - WINDOW_SECONDS * 1000);
    expect(end).toBeLessThanOrEqual(Date.now());
  });

  it('then prunes stored results older than the retention (src/db/retention.ts)', async () => {
    const hours = config.retention.agentActionResultsHours;
    const big = { text: 'z'.repeat(10_000) };
    await db.pool.query(
      `INSERT INTO agent_actions (key, agent_id, iteration, status, result, thought_at, acted_at)
       VALUES ('solo:0', 'solo', 0, 'done', $1, now() - make_interval(hours => $2 + 1), now() - make_interval(hours => $2 + 1)),
              ('solo:1', 'solo', 1, 'done', $1, now(), now())`,
      [JSON.stringify(big), hours],
    );
    await execute({ windowSeconds: WINDOW_SECONDS, activities: config.metrics.activities, retentionActivities: config.retention.activities }, 'metrics-prune');
    const rows = await db.pool.query<{ key: string; result: unknown }>(`SELECT key, result FROM agent_actions WHERE agent_id = 'solo' ORDER BY key`);
    expect(rows.rows).toEqual([
      { key: 'solo:0', result: PRUNED_ACTION_RESULT },
      { key: 'solo:1', result: big },
    ]);
  });
});

describe('the metrics-window schedule', () => {
  it('is created once; ensuring it again changes nothing', async () => {
    const first = await ensureMetricsSchedule(client, config);
    expect(first).toMatchObject({ scheduleId: config.metrics.scheduleId, action: 'created', paused: false, everySeconds: WINDOW_SECONDS });
    expect((await ensureMetricsSchedule(client, config)).action).toBe('unchanged');
    const d = await client.schedule.getHandle(config.metrics.scheduleId).describe();
    expect(d.spec.intervals).toEqual([{ every: WINDOW_SECONDS * 1000, offset: 30_000 }]);
    expect(d.policies.overlap).toBe('SKIP');
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'metricsWindowWorkflow', taskQueue: config.temporal.taskQueue });
    expect(d.action).toMatchObject({ args: [expect.objectContaining({ retentionActivities: config.retention.activities })] });
    // Each run comes lagSeconds after a window's end.
    expect(first.nextActionAt!.getTime() % (WINDOW_SECONDS * 1000)).toBe(30_000);
  });

  it('a run it starts writes the window that ended before its scheduled time', async () => {
    const handle = client.schedule.getHandle(config.metrics.scheduleId);
    await handle.trigger();
    let action: ScheduleExecutionResult | undefined;
    for (let i = 0; i < 300 && !action; i++) {
      action = (await handle.describe()).info.recentActions[0];
      if (!action) await new Promise((r) => setTimeout(r, 100));
    }
    expect(action).toBeDefined();
    const run = client.workflow.getHandle(action!.action.workflow.workflowId);
    const summary = (await run.result()) as MetricsWindowSummary;
    // The run stands for the time the Schedule says it was scheduled at (the attribute keeps whole seconds).
    const scheduled = (await run.describe()).typedSearchAttributes.get(defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME));
    expect(scheduled && Math.floor(scheduled.getTime() / 1000)).toBe(Math.floor(action!.scheduledAt.getTime() / 1000));
    const w = windowBefore(action!.scheduledAt, WINDOW_SECONDS);
    expect(summary.window_start).toBe(w.start.toISOString());
    expect(await getWindow(db.pool, w.start)).not.toBeNull();
  });

  it('follows a change of the window length, and pauses when disabled', async () => {
    const updated = await ensureMetricsSchedule(client, configWith({ windowSeconds: 600 }));
    expect(updated).toMatchObject({ action: 'updated', everySeconds: 600, paused: false });
    const d = await client.schedule.getHandle(config.metrics.scheduleId).describe();
    expect(d.spec.intervals).toEqual([{ every: 600_000, offset: 30_000 }]);
    expect(d.action).toMatchObject({ args: [expect.objectContaining({ windowSeconds: 600 })] });
    expect((await ensureMetricsSchedule(client, configWith({ windowSeconds: 600 }))).action).toBe('unchanged');

    const paused = await ensureMetricsSchedule(client, configWith({ windowSeconds: 600, enabled: false }));
    expect(paused).toMatchObject({ action: 'updated', paused: true, nextActionAt: null });
  });
});
