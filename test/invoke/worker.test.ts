/**
 * The real worker process entry (workers/worker.ts) on a host with Docker: one process serves the
 * ecology queue (workflows, hold and settle) and the sandbox queue (run), so invokeArtifactWorkflow
 * completes against it; its custom-contract hook and the act step's sandbox come from the same pool.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { invokeWorkflowId, invokeWorkflowInput } from '../../src/invoke/temporal';
import { invocationOutcome } from '../../src/invoke/settle';
import { connectClient } from '../../src/temporal/connection';
import { startEcologyWorker, type RunningWorker } from '../../workers/worker';
import { workflowBundle } from '../agents/support/bundle';
import { setupWorld, type World } from './support';
import { silentLogger } from '../../src/log/logger';

const suffix = randomBytes(4).toString('hex');
let w: World;
let client: Client;
let worker: RunningWorker;

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed already
  }
  w = await setupWorld({
    overrides: { temporal: { taskQueue: `invoke-worker-${suffix}`, sandboxTaskQueue: `invoke-worker-sandbox-${suffix}`, address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' } },
  });
  for (const p of ['alice', 'bob']) await w.principal(p);
  await w.artifact('alice', 'adder', { code: 'export function run(a) { return a.x + a.y }', price: 2 });
  const { code } = await workflowBundle();
  worker = await startEcologyWorker({ config: w.config, pool: w.pool, sandbox: w.sandbox, workflowBundle: { code }, logger: silentLogger() });
  client = await connectClient(w.config);
}, 180_000);

afterAll(async () => {
  await worker?.shutdown();
  await client?.connection.close().catch(() => undefined);
  await w?.close();
});

test('one worker process serves both queues: the saga completes and pays', async () => {
  const [bob, alice] = [await w.scrip('bob'), await w.scrip('alice')];
  const key = w.key();
  const summary = await client.workflow.execute('invokeArtifactWorkflow', {
    taskQueue: w.config.temporal.taskQueue,
    workflowId: invokeWorkflowId(key),
    args: [invokeWorkflowInput(w.config, { caller: 'bob', artifactId: 'adder', method: 'run', args: { x: 3, y: 4 }, key })],
  });
  expect(summary).toMatchObject({ ok: true, invocation: { paid_to: 'alice' } });
  expect(await invocationOutcome(w.deps, key)).toMatchObject({ ok: true, result: 7 });
  expect([await w.scrip('bob'), await w.scrip('alice')]).toEqual([bob - 2, alice + 2]);
  await w.expectAuditOk();
}, 60_000);
