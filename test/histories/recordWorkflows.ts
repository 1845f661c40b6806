/**
 * Records the replay fixtures of the short workflows: real runs (dev server, fresh databases, real
 * activities, the Docker sandbox, the fake LLM) of
 *   invokeArtifactWorkflow  -> test/histories/invoke/invoke-<branch>.json (settled, refunded,
 *                              sandbox-unavailable, hold-refused, cancelled, other-world)
 *   oracleResolutionWorkflow -> test/histories/oracle/oracle-<branch>.json (resolved, empty)
 *   metricsWindowWorkflow   -> test/histories/metrics/metrics-window.json
 *   bountyCheckWorkflow     -> test/histories/bounty/check-<branch>.json (won, failed, late)
 *   bountyDeadlineWorkflow  -> test/histories/bounty/deadline-<branch>.json (refunded, best, solved,
 *                              cancelled, resumed, past)
 * test/invoke|oracle|metrics|bounties/replay.test.ts replay them. Re-record (and review the diff) after a
 * deliberate, versioned change; name scenarios to record only those:
 *
 *   eval "$(scripts/services.sh --env)" && npx tsx test/histories/recordWorkflows.ts [invoke] [oracle] [metrics] [bounty]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createMetricsActivities } from '../../activities/metrics';
import { createSandboxActivities } from '../../activities/sandbox';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { deepMerge, loadConfig } from '../../src/config/load';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { invokeWorkflowId, invokeWorkflowInput } from '../../src/invoke/temporal';
import { bountyWorkflowIds } from '../../src/bountyChecks/workflowInput';
import { openResolution } from '../../src/oracle/resolution';
import { resolutionInput } from '../../src/oracle/schedule';
import { connectClient } from '../../src/temporal/connection';
import { bountyStarter } from '../../src/temporal/bountyWorkflows';
import { readWorldId } from '../../src/world/identity';
import { createSandboxWorker } from '../../workers/sandboxWorker';
import { workflowBundle } from '../agents/support/bundle';
import { DOUBLER_CHECKER, GOOD_SUBMISSION, setupBountyWorld } from '../bounties/support';
import { setupWorld, type World } from '../invoke/support';
import { oracleTestOverrides, startOracleWorker, waitFor } from '../oracle/temporal';
import { setupOracleWorld } from '../oracle/world';
import { promptText, startFakeLlm } from '../support/fakeLlm';
import { createTestDatabase } from '../support/testDb';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
const suffix = randomBytes(3).toString('hex');

async function save(handle: WorkflowHandle, dir: string, name: string): Promise<void> {
  const history = await handle.fetchHistory();
  mkdirSync(join(__dirname, dir), { recursive: true });
  const file = join(__dirname, dir, `${name}.json`);
  writeFileSync(file, historyToJSON(history) + '\n');
  process.stdout.write(`wrote ${file} (${history.events?.length} events)\n`);
}

/** Starts a worker; returns its stop function. */
function run(worker: Worker): () => Promise<void> {
  const running = worker.run();
  return async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
  };
}

/** Every branch of the invocation saga, on a world with a Docker sandbox. */
async function invoke(connection: NativeConnection, client: Client): Promise<void> {
  const w: World = await setupWorld({
    overrides: {
      temporal: { taskQueue: `record-invoke-${suffix}`, sandboxTaskQueue: `record-sandbox-${suffix}` },
      sandbox: { limits: { timeoutMs: 1500 }, activities: { timeoutMs: 10_000, initialIntervalMs: 100, maximumIntervalMs: 500, runScheduleToStartMs: 20_000, runTimeoutMs: 30_000, runMaximumAttempts: 2 } },
    },
  });
  const stops: Array<() => Promise<void>> = [];
  const other = await createTestDatabase();
  try {
    await w.principal('alice');
    await w.principal('bob');
    await w.principal('poor', { scrip: 1 });
    await w.artifact('alice', 'adder', { code: 'export function run(a) { return a.x + a.y }', price: 5 });
    await w.artifact('alice', 'thrower', { code: "export function run() { throw new Error('refused by the code') }", price: 5 });
    await w.artifact('alice', 'spin', { code: 'export function run() { for (;;) {} }', price: 5 });
    const world = await readWorldId(w.pool);
    const { code } = await workflowBundle(join(WORKFLOWS, 'invoke.ts'));
    const ecology = await Worker.create({ connection, taskQueue: w.config.temporal.taskQueue, workflowBundle: { code }, activities: createSandboxActivities({ pool: w.pool, config: w.config, sandbox: null }) });
    stops.push(run(ecology));
    const start = (name: string, artifactId: string, caller = 'bob', config = w.config) => {
      const key = `record-${name}-${suffix}`;
      const input = invokeWorkflowInput(config, { caller, artifactId, method: 'run', args: { x: 2, y: 3 }, key }, world);
      return client.workflow.start('invokeArtifactWorkflow', { taskQueue: w.config.temporal.taskQueue, workflowId: invokeWorkflowId(key), args: [input] });
    };

    // Another world's sandbox worker on the same queue refuses the run; then this world's takes it.
    await bootstrapGenesis(other.pool);
    const otherStop = run(await createSandboxWorker({ connection, pool: other.pool, config: w.config, sandbox: w.sandbox! }));
    const refused = await start('other-world', 'adder');
    await waitFor('a refusal by the other world', async () => (await refused.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes), 60_000);
    await otherStop();
    stops.push(run(await createSandboxWorker({ connection, pool: w.pool, config: w.config, sandbox: w.sandbox! })));
    await refused.result();
    await save(refused, 'invoke', 'invoke-other-world');

    for (const [name, artifact, caller] of [['settled', 'adder', 'bob'], ['refunded', 'thrower', 'bob'], ['hold-refused', 'adder', 'poor']] as const) {
      const h = await start(name, artifact, caller);
      await h.result();
      await save(h, 'invoke', `invoke-${name}`);
    }

    // Cancelled while the code runs: settled (refunded) once, then the workflow ends cancelled.
    const spin = await start('cancelled', 'spin');
    await waitFor('the run to be scheduled', async () => (await spin.fetchHistory()).events!.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runInvocation'), 60_000);
    await spin.cancel();
    await spin.result().catch(() => undefined);
    await save(spin, 'invoke', 'invoke-cancelled');

    const nobody = {
      ...w.config,
      temporal: { ...w.config.temporal, sandboxTaskQueue: `record-nobody-${suffix}` },
      sandbox: { ...w.config.sandbox, activities: { ...w.config.sandbox.activities, runScheduleToStartMs: 1500 } },
    };
    const unavailable = await start('sandbox-unavailable', 'adder', 'bob', nobody);
    await unavailable.result();
    await save(unavailable, 'invoke', 'invoke-sandbox-unavailable');
  } finally {
    for (const stop of stops.reverse()) await stop();
    await other.drop();
    await w.close();
  }
}

/**
 * A resolution with two slots, one scored and one whose scorer answer is invalid (refunded), that
 * also finishes an earlier resolution left open (as by a terminated run); and one with no bids.
 */
async function oracle(client: Client): Promise<void> {
  const fake = await startFakeLlm();
  fake.respond((body) => ({ content: promptText(body).includes('bad_tool') ? 'not a score' : '{"score": 64, "reason": "a working adder"}' }));
  const w = await setupOracleWorld(oracleTestOverrides(fake, { slots: 2, minBid: 1, mintRatio: 2 }));
  const worker = await startOracleWorker(w.pool, w.config);
  try {
    const world = await readWorldId(w.pool);
    for (const a of ['or_a', 'or_b', 'or_c']) await w.agent(a, 100);
    await w.tool('or_a', 'good_tool');
    await w.tool('or_b', 'bad_tool');
    await w.tool('or_c', 'late_tool');
    /** A scheduled time just ahead, once it has passed: a resolution takes the bids placed before its time. */
    const next = async () => {
      const at = Math.ceil(Date.now() / 1000) * 1000 + 1000;
      await new Promise((r) => setTimeout(r, at - Date.now() + 50));
      return new Date(at).toISOString();
    };
    // The earlier resolution: opened with one bid, never finished.
    await w.ok('or_c', 'genesis_oracle', 'bid', { artifact_id: 'late_tool', amount: 7 });
    await openResolution(w.pool, w.config, await next());
    await w.ok('or_a', 'genesis_oracle', 'bid', { artifact_id: 'good_tool', amount: 30 });
    await w.ok('or_b', 'genesis_oracle', 'bid', { artifact_id: 'bad_tool', amount: 20 });
    await w.ok('or_c', 'genesis_oracle', 'bid', { artifact_id: 'late_tool', amount: 9 });
    for (const name of ['resolved', 'empty']) {
      const at = await next();
      const h = await client.workflow.start('oracleResolutionWorkflow', { taskQueue: w.config.temporal.taskQueue, workflowId: `record-oracle-${name}-${suffix}`, args: [resolutionInput(w.config, at, world)] });
      await h.result();
      await save(h, 'oracle', `oracle-${name}`);
    }
  } finally {
    await worker.shutdown();
    await w.close();
    await fake.close();
  }
}

/** One window aggregated, then the retention pruned. */
async function metrics(connection: NativeConnection, client: Client): Promise<void> {
  const db = await createTestDatabase();
  const config = loadConfig({ overrides: deepMerge({ database: { url: db.url } }, { temporal: { taskQueue: `record-metrics-${suffix}` } }) });
  const { code } = await workflowBundle(join(WORKFLOWS, 'metrics.ts'));
  const stop = run(await Worker.create({ connection, taskQueue: config.temporal.taskQueue, workflowBundle: { code }, activities: createMetricsActivities({ pool: db.pool, config }) }));
  try {
    await bootstrapGenesis(db.pool);
    await createOperatorPrincipal(db.pool, config, { id: 'solo', kind: 'agent', scrip: 40, compute: 100 });
    const input = { scheduledAt: new Date(Date.now() + config.metrics.windowSeconds * 1000).toISOString(), windowSeconds: config.metrics.windowSeconds, activities: config.metrics.activities, retentionActivities: config.retention.activities, world: await readWorldId(db.pool) };
    const h = await client.workflow.start('metricsWindowWorkflow', { taskQueue: config.temporal.taskQueue, workflowId: `record-metrics-${suffix}`, args: [input] });
    await h.result();
    await save(h, 'metrics', 'metrics-window');
  } finally {
    await stop();
    await db.drop();
  }
}

/**
 * Both bounty workflows through each branch, started by the submit and post hooks as in production.
 * The deadlines are seconds away, late enough for the checks made before them to have their verdicts.
 */
async function bounty(): Promise<void> {
  const w = await setupBountyWorld({ bounties: { deadlineRecheckSeconds: 5 } });
  try {
    const world = await readWorldId(w.pool);
    await w.principal('poster', { scrip: 1000 });
    for (const p of ['ann', 'bea', 'cal']) await w.principal(p, { scrip: 100 });
    await w.artifact('poster', 'doubler_check', { code: DOUBLER_CHECKER });
    // mode best: the score is what the submission says
    await w.artifact('poster', 'scorer', { code: "export async function run(args, ctx) { const n = await ctx.invoke(args.submission, 'run', {}); return { pass: typeof n === 'number', score: typeof n === 'number' ? n : 0 } }" });
    for (const p of ['ann', 'cal']) await w.artifact(p, `${p}_good`, { code: GOOD_SUBMISSION });
    await w.artifact('bea', 'bea_wrong', { code: 'export function run(a) { return a.x + 1 }' });
    await w.artifact('ann', 'ann_60', { code: 'export function run() { return 60 }' });
    await w.artifact('bea', 'bea_80', { code: 'export function run() { return 80 }' });

    const post = async (id: string, checker: string, seconds: number, mode = 'first', key?: string) => {
      const o = await w.call('poster', 'post', { id, description: `bounty ${id}`, checker, reward: 20, deadline_seconds: seconds, mode }, key);
      if (!o.ok) throw new Error(`post ${id} failed: ${JSON.stringify(o)}`);
    };
    /** A submit; with `lost`, its hook does not run (as when the process crashes after the commit): no check starts. */
    const submit = async (who: string, bountyId: string, artifactId: string, lost = false) => {
      const hooks = w.deps.hooks;
      if (lost) w.deps.hooks = {};
      const o = await w.call(who, 'submit', { bounty_id: bountyId, artifact_id: artifactId }).finally(() => (w.deps.hooks = hooks));
      if (!o.ok) throw new Error(`submit to ${bountyId} failed: ${JSON.stringify(o)}`);
      return (o.result as { submission_id: number }).submission_id;
    };
    /** Saves a finished workflow's history, once it ended with the status its branch gives (else the recording took another branch). */
    const finished = async (workflowId: string, name: string, status: string) => {
      const h = w.client.workflow.getHandle(workflowId);
      const result = (await h.result()) as { status: string };
      if (result.status !== status) throw new Error(`${name} ended ${JSON.stringify(result)}, not ${status}: record again`);
      await save(h, 'bounty', name);
    };
    const check = (id: number, name: string, status: string) => finished(bountyWorkflowIds.check(world, id), `check-${name}`, status);
    const deadline = (bountyId: string, name: string, status: string) => finished(bountyWorkflowIds.deadline(world, bountyId), `deadline-${name}`, status);

    const seconds = 20;
    // A post whose hook was lost, replayed (same key) after its deadline: the deadline workflow starts late, with no timer.
    const pastKey = w.key();
    const hooks = w.deps.hooks;
    w.deps.hooks = {};
    await post('past', 'doubler_check', 1, 'first', pastKey).finally(() => (w.deps.hooks = hooks));
    await post('first', 'doubler_check', seconds);
    await post('wrong', 'doubler_check', seconds);
    await post('best', 'scorer', seconds, 'best');
    await post('resumed', 'doubler_check', seconds);
    await post('gone', 'doubler_check', 3);
    const cancelled = await w.call('poster', 'cancel', { bounty_id: 'gone' });
    if (!cancelled.ok) throw new Error(`cancel failed: ${JSON.stringify(cancelled)}`);

    const late = await submit('cal', 'first', 'cal_good', true);
    const won = await submit('ann', 'first', 'ann_good');
    const failed = await submit('bea', 'wrong', 'bea_wrong');
    const best = [await submit('ann', 'best', 'ann_60'), await submit('bea', 'best', 'bea_80')];
    await submit('cal', 'resumed', 'cal_good', true);
    await check(won, 'won', 'passed');
    await check(failed, 'failed', 'failed');
    for (const id of best) await w.verdict(id);
    // The lost check of a bounty already solved: marked late, nothing runs.
    await bountyStarter(w.client, w.config, async () => world).startCheck(late);
    await check(late, 'late', 'late');

    await post('past', 'doubler_check', 1, 'first', pastKey);
    await deadline('past', 'past', 'refunded');
    await deadline('gone', 'cancelled', 'cancelled');
    await deadline('first', 'solved', 'solved');
    await deadline('wrong', 'refunded', 'refunded');
    await deadline('best', 'best', 'solved');
    // Its submission still checking at the deadline: the check is started again, and it wins.
    await deadline('resumed', 'resumed', 'solved');
  } finally {
    await w.stop();
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const only = process.argv.slice(2);
  const wanted = (name: string) => only.length === 0 || only.includes(name);
  const config = loadConfig({});
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const client = await connectClient(config);
  try {
    if (wanted('invoke')) await invoke(connection, client);
    if (wanted('oracle')) await oracle(client);
    if (wanted('metrics')) await metrics(connection, client);
    if (wanted('bounty')) await bounty();
  } finally {
    await client.connection.close();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
    process.exit(1);
  },
);
