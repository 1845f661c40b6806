/**
 * Workflow and activity code log through the process logger (src/log/logger.ts) once the Temporal
 * runtime's logger is wired to it (src/temporal/runtimeLog.ts): JSON lines with the level, the
 * message, and the ids of the workflow (and of the activity), on the real Temporal dev server.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config/load';
import type { EcologyConfig } from '../../src/config/schema';
import { setProcessLogger } from '../../src/log/logger';
import { connectClient } from '../../src/temporal/connection';
import { installRuntimeLogger } from '../../src/temporal/runtimeLog';
import { workflowBundle } from '../agents/support/bundle';
import { captureLog, type CapturedLog, type LogLine } from '../support/logCapture';
import { loggingActivities } from './support/activities';

// Before any native connection: the runtime is made once per process.
const installed = installRuntimeLogger();

const suffix = randomBytes(4).toString('hex');
let config: EcologyConfig;
let client: Client;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  config = loadConfig({ overrides: { temporal: { taskQueue: `log-test-${suffix}`, address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' } } });
  client = await connectClient(config);
  connection = await NativeConnection.connect({ address: config.temporal.address });
  const { code } = await workflowBundle(join(__dirname, 'support', 'workflows.ts'));
  worker = await Worker.create({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, workflowBundle: { code }, activities: loggingActivities });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await connection?.close().catch(() => undefined);
  await client?.connection.close().catch(() => undefined);
});

/** Runs the workflow with the process logger capturing; waits until its activity's warning is written. */
async function runLogged(capture: CapturedLog, tag: string): Promise<{ workflowId: string; runId: string; lines: LogLine[] }> {
  setProcessLogger(capture.logger);
  const workflowId = `log-test-${suffix}-${tag}`;
  const handle = await client.workflow.start('loggingWorkflow', { taskQueue: config.temporal.taskQueue, workflowId, args: [tag] });
  expect(await handle.result()).toBe(`logged ${tag}`);
  // The runtime passes lines on after a short buffering: wait for the last one written.
  const deadline = Date.now() + 10_000;
  const mine = () => capture.lines.filter((l) => l.tag === tag);
  while (!mine().some((l) => l.msg === 'activity warn line') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { workflowId, runId: handle.firstExecutionRunId, lines: mine() };
}

test('the runtime logger is ours (installed before any native connection)', () => {
  expect(installed).toBe(true);
});

test('workflow and activity lines are JSON lines with level, msg, workflowId and (for the activity) activityId', async () => {
  const capture = captureLog({ level: 'info' });
  const { workflowId, runId, lines } = await runLogged(capture, 'info');
  const workflowLine = lines.find((l) => l.msg === 'workflow info line');
  expect(workflowLine).toMatchObject({ level: 'info', name: 'ecology', workflowId, runId, workflowType: 'loggingWorkflow', taskQueue: config.temporal.taskQueue, time: expect.any(String) });
  const activityLine = lines.find((l) => l.msg === 'activity info line');
  expect(activityLine).toMatchObject({ level: 'info', workflowId, workflowType: 'loggingWorkflow', activityId: expect.any(String), activityType: 'logFromActivity', time: expect.any(String) });
  expect(lines.find((l) => l.msg === 'activity warn line')).toMatchObject({ level: 'warn', workflowId, activityType: 'logFromActivity' });
  // Below the level: nothing.
  expect(lines.map((l) => l.msg)).not.toContain('workflow debug line');
  expect(lines.map((l) => l.msg)).not.toContain('activity debug line');
  // Every line written is one JSON object on one line.
  for (const text of capture.text().split('\n').filter(Boolean)) expect(() => JSON.parse(text)).not.toThrow();
}, 60_000);

test('at level warn the info lines of workflow and activity code are left out; at debug the debug lines come', async () => {
  const warn = await runLogged(captureLog({ level: 'warn' }), 'warn');
  expect(warn.lines.map((l) => [l.level, l.msg]).sort()).toEqual([
    ['warn', 'activity warn line'],
    ['warn', 'workflow warn line'],
  ]);
  const debug = await runLogged(captureLog({ level: 'debug' }), 'debug');
  expect(debug.lines.find((l) => l.msg === 'workflow debug line')).toMatchObject({ level: 'debug', workflowId: debug.workflowId });
  expect(debug.lines.find((l) => l.msg === 'activity debug line')).toMatchObject({ level: 'debug', workflowId: debug.workflowId, activityId: expect.any(String) });
}, 60_000);
