/**
 * Durable timers on the time-skipping test server (the temporal-test-server binary, offline via
 * TEMPORAL_TEST_SERVER_PATH or PATH): a day-long sleep and a day-long bounded wait for an event
 * that never comes pass in virtual time, and the agent goes on thinking with real activities
 * (PostgreSQL, fake LLM). Debt waits are not tested here: their end is computed from the database
 * clock, which a virtual clock does not move.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { agentWorkflowId, type AgentWorkflowInput } from '../../src/agents/types';
import { testServerPath } from '../support/timeSkipping';
import { workflowBundle } from './support/bundle';
import { startAgentWorld, type AgentWorld } from './support/harness';
import { stateQuery, stopSignal } from '../../src/agents/signals';

let w: AgentWorld;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
beforeAll(async () => {
  w = await startAgentWorld({}, { worker: false });
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: w.taskQueue,
    workflowBundle: { code: (await workflowBundle()).code },
    activities: createActivities({ pool: w.pool, config: w.config, temporal: env.client }),
  });
  running = worker.run();
});
afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await env?.teardown();
  await w?.close();
});

test('a day-long sleep and a day-long bounded event wait pass in virtual time', async () => {
  const a = await w.agent('patient');
  w.script(a, [
    '{"action":"sleep","seconds":86400}',
    '{"action":"sleep","until_event":"never_happens","max_seconds":86400}',
    '{"action":"noop"}',
  ]);
  const input: AgentWorkflowInput = { agentId: a };
  const handle = await env.client.workflow.start('agentWorkflow', { workflowId: agentWorkflowId(a), taskQueue: w.taskQueue, args: [input] });
  const state = () => handle.query(stateQuery);

  const first = await w.waitFor('the day-long sleep', async () => ((await state()).iteration === 1 && (await state()).status === 'sleeping' ? state() : undefined));
  const virtualStart = await env.currentTimeMs();
  expect(Date.parse(first.until!) - virtualStart).toBeGreaterThan(86_000 * 1000);

  await env.sleep('1 day');
  const second = await w.waitFor('the event wait', async () => ((await state()).iteration === 2 && (await state()).status === 'sleeping' ? state() : undefined));
  expect(second.waitingFor).toBe('event never_happens');

  await env.sleep('1 day');
  await w.waitFor('the noop and the settle', async () => (await state()).iteration === 4);
  expect((await w.actions(a)).map((r) => [r.action_type, r.status])).toEqual([
    ['sleep', 'done'],
    ['sleep', 'done'],
    ['noop', 'done'],
    ['sleep', 'done'],
  ]);
  expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(virtualStart + 2 * 86_400 * 1000);
  await handle.signal(stopSignal);
  expect(await handle.result()).toMatchObject({ reason: 'stopped', iteration: 4 });
});
