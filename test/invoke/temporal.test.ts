/**
 * The saga on Temporal (dev server): invokeArtifactWorkflow runs hold and settle on the workflow's
 * queue and the run on the sandbox queue, served here by two in-process workers against a real
 * Docker daemon; with no sandbox worker the run is given up after its schedule-to-start timeout and
 * the price refunded.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { Pool } from 'pg';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createSandboxActivities } from '../../activities/sandbox';
import { invoke } from '../../src/invoke/invoke';
import { invocationOutcome } from '../../src/invoke/settle';
import { invokeWorkflowId, invokeWorkflowInput, temporalSagaRunner } from '../../src/invoke/temporal';
import { connectClient } from '../../src/temporal/connection';
import { createSandboxWorker } from '../../workers/sandboxWorker';
import { workflowBundle } from '../agents/support/bundle';
import { setupWorld, type World } from './support';

const suffix = randomBytes(4).toString('hex');
let w: World;
let client: Client;
let connection: NativeConnection;
const workers: Array<{ worker: Worker; running: Promise<void> }> = [];

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed already in this process
  }
  w = await setupWorld({
    overrides: {
      temporal: { taskQueue: `invoke-test-${suffix}`, sandboxTaskQueue: `invoke-sandbox-${suffix}`, address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' },
      sandbox: { limits: { timeoutMs: 1500 }, activities: { timeoutMs: 10_000, initialIntervalMs: 100, maximumIntervalMs: 500, runScheduleToStartMs: 20_000, runTimeoutMs: 30_000, runMaximumAttempts: 2 } },
    },
  });
  for (const p of ['alice', 'bob']) await w.principal(p);
  await w.artifact('alice', 'adder', { code: 'export function run(a) { return a.x + a.y }', price: 5 });
  await w.artifact('alice', 'spin', { code: 'export function run() { for (;;) {} }', price: 5 });
  const { code } = await workflowBundle(join(__dirname, '..', '..', 'workflows', 'invoke.ts'));
  connection = await NativeConnection.connect({ address: w.config.temporal.address });
  client = await connectClient(w.config);
  // The ecology side: the workflow, and hold/settle (no sandbox in this worker).
  const ecology = await Worker.create({
    connection,
    namespace: w.config.temporal.namespace,
    taskQueue: w.config.temporal.taskQueue,
    workflowBundle: { code },
    activities: createSandboxActivities({ pool: w.pool, config: w.config, sandbox: null }),
  });
  // The sandbox side: the Docker host.
  const sandbox = await createSandboxWorker({ connection, pool: w.pool, config: w.config, sandbox: w.sandbox! });
  for (const worker of [ecology, sandbox]) workers.push({ worker, running: worker.run() });
}, 120_000);

afterAll(async () => {
  for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  await Promise.allSettled(workers.map((x) => x.running));
  await connection?.close().catch(() => undefined);
  await client?.connection.close().catch(() => undefined);
  await w?.close();
});

test('invokeArtifactWorkflow: hold, run on the sandbox queue, pay; the result stays in PostgreSQL', async () => {
  const [bob, alice, bobCpu] = [await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob')];
  const key = w.key();
  const summary = await client.workflow.execute('invokeArtifactWorkflow', {
    taskQueue: w.config.temporal.taskQueue,
    workflowId: invokeWorkflowId(key),
    args: [invokeWorkflowInput(w.config, { caller: 'bob', artifactId: 'adder', method: 'run', args: { x: 20, y: 22 }, key })],
  });
  expect(summary).toMatchObject({ ok: true, replayed: false, invocation: { paid_to: 'alice', payer: 'bob' } });
  expect(summary).not.toHaveProperty('result');
  expect(await invocationOutcome(w.deps, key)).toMatchObject({ ok: true, result: 42 });
  expect(await w.scrip('bob')).toBe(bob - 5);
  expect(await w.scrip('alice')).toBe(alice + 5);
  expect(await w.compute('bob')).toBe(bobCpu - summary.compute_charged);
  await w.expectAuditOk();
}, 60_000);

test('invoke() with the Temporal saga runner returns the full outcome, and a repeat replays it', async () => {
  const deps = { ...w.deps, sandbox: null, runSaga: temporalSagaRunner(client, w.deps) };
  const key = w.key();
  const o = await invoke(deps, { caller: 'bob', artifactId: 'adder', method: 'run', args: { x: 1, y: 2 }, key });
  expect(o).toMatchObject({ ok: true, result: 3, replayed: false });
  const again = await invoke(deps, { caller: 'bob', artifactId: 'adder', method: 'run', args: { x: 1, y: 2 }, key });
  expect(again).toEqual({ ...o, replayed: true });
  // Genesis calls never go through the workflow.
  expect(await invoke(deps, { caller: 'bob', artifactId: 'genesis_ledger', method: 'balance', args: {}, key: w.key() })).toMatchObject({ ok: true });
}, 60_000);

test('through Temporal the grant is held with the invocation: max_price refuses, the allowance bounds the code', async () => {
  await w.artifact('alice', 'tipper', { code: "export async function run(a, ctx) { return ctx.invoke('genesis_ledger', 'transfer', { to: 'alice', amount: a.n }).then(() => 'sent', (e) => e.code) }", price: 5 });
  const deps = { ...w.deps, runSaga: temporalSagaRunner(client, w.deps) };
  const bob = await w.scrip('bob');
  const refused = await invoke(deps, { caller: 'bob', artifactId: 'tipper', method: 'run', args: { n: 1 }, key: w.key(), grant: { max_price: 4 } });
  expect(refused).toMatchObject({ ok: false, error: { code: 'ALLOWANCE_EXCEEDED' }, compute_charged: 0 });
  expect(await w.scrip('bob')).toBe(bob);
  const key = w.key();
  const within = await invoke(deps, { caller: 'bob', artifactId: 'tipper', method: 'run', args: { n: 3 }, key, grant: { max_price: 5, allowance: { scrip: 3 } } });
  expect(within).toMatchObject({ ok: true, result: 'sent' });
  const beyond = await invoke(deps, { caller: 'bob', artifactId: 'tipper', method: 'run', args: { n: 4 }, key: w.key(), grant: { allowance: { scrip: 3 } } });
  expect(beyond).toMatchObject({ ok: true, result: 'ALLOWANCE_EXCEEDED' });
  expect(await w.scrip('bob')).toBe(bob - 5 - 3 - 5);
  const row = await w.pool.query('SELECT max_price, allowance_scrip, spent_scrip FROM invocations WHERE key = $1', [key]);
  expect(row.rows[0]).toEqual({ max_price: 5, allowance_scrip: 3, spent_scrip: 3 });
  await w.expectAuditOk();
}, 60_000);

test('a failing run through Temporal: refunded, CPU charged', async () => {
  const [bob, alice, bobCpu] = [await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob')];
  const o = await invoke({ ...w.deps, runSaga: temporalSagaRunner(client, w.deps) }, { caller: 'bob', artifactId: 'spin', method: 'run', args: {}, key: w.key() });
  expect(o).toMatchObject({ ok: false, error: { code: 'TIMEOUT' }, invocation: { refunded: true } });
  expect(o.compute_charged).toBeGreaterThan(0);
  expect([await w.scrip('bob'), await w.scrip('alice')]).toEqual([bob, alice]);
  expect(await w.compute('bob')).toBe(bobCpu - o.compute_charged);
  await w.expectAuditOk();
}, 60_000);

test('no sandbox worker: the run is given up after its schedule-to-start timeout and the price refunded', async () => {
  const config = {
    ...w.config,
    temporal: { ...w.config.temporal, sandboxTaskQueue: `nobody-serves-${suffix}` },
    sandbox: { ...w.config.sandbox, activities: { ...w.config.sandbox.activities, runScheduleToStartMs: 1500 } },
  };
  const [bob, alice] = [await w.scrip('bob'), await w.scrip('alice')];
  const o = await invoke({ ...w.deps, config, runSaga: temporalSagaRunner(client, { pool: w.pool, config }) }, { caller: 'bob', artifactId: 'adder', method: 'run', args: { x: 1, y: 1 }, key: w.key() });
  expect(o).toMatchObject({ ok: false, error: { code: 'SANDBOX_UNAVAILABLE' }, compute_charged: 0, invocation: { refunded: true } });
  if (!o.ok) expect(o.error.message).toContain(`nobody-serves-${suffix}`);
  expect([await w.scrip('bob'), await w.scrip('alice')]).toEqual([bob, alice]);
  await w.expectAuditOk();
}, 60_000);

test('a sandbox host that fails for a reason of its own: the run is recorded CRASHED (a code of ours, not the error\'s name) and refunded', async () => {
  // A host whose database pool is gone: each attempt of the run throws a plain Error, which Temporal
  // reports with the error's name ('Error') as the failure type.
  const gone = new Pool({ connectionString: w.config.database.url });
  await gone.end();
  const queue = `broken-sandbox-${suffix}`;
  const broken = await createSandboxWorker({ connection, pool: gone, config: w.config, sandbox: w.sandbox!, taskQueue: queue });
  workers.push({ worker: broken, running: broken.run() });
  const config = { ...w.config, temporal: { ...w.config.temporal, sandboxTaskQueue: queue } };
  const [bob, alice] = [await w.scrip('bob'), await w.scrip('alice')];
  const key = w.key();
  const o = await invoke({ ...w.deps, config, runSaga: temporalSagaRunner(client, { pool: w.pool, config }) }, { caller: 'bob', artifactId: 'adder', method: 'run', args: { x: 1, y: 1 }, key });
  expect(o).toMatchObject({ ok: false, error: { code: 'CRASHED' }, compute_charged: 0, invocation: { refunded: true } });
  if (!o.ok) expect(o.error.message).toContain('Cannot use a pool after calling end on the pool');
  expect((await w.pool.query('SELECT error FROM invocations WHERE key = $1', [key])).rows[0].error).toMatchObject({ code: 'CRASHED' });
  expect([await w.scrip('bob'), await w.scrip('alice')]).toEqual([bob, alice]);
  await w.expectAuditOk();
}, 60_000);
