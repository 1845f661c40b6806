/**
 * A bounty's deadline on the time-skipping test server (durable timers in virtual time) with real
 * activities (PostgreSQL, Docker): an unsolved bounty is refunded at its deadline a day away; in
 * mode best the best passing submission wins at the deadline; a cancelled bounty's timer then does
 * nothing. The audit passes after each.
 */
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createBountyActivities } from '../../activities/bounties';
import { createSandboxActivities } from '../../activities/sandbox';
import { bountyCommittedHook } from '../../src/bountyChecks/hooks';
import { ensureBountyDeadlines } from '../../src/bountyChecks/resume';
import { bountyWorkflowIds } from '../../src/bountyChecks/workflowInput';
import * as bq from '../../src/bounties/queries';
import { bountyStarter } from '../../src/temporal/bountyWorkflows';
import { readWorldId } from '../../src/world/identity';
import { createSandboxWorker } from '../../workers/sandboxWorker';
import { workflowBundle } from '../agents/support/bundle';
import { setupWorld, type World } from '../invoke/support';
import { startTimeSkipping } from '../support/timeSkipping';

let w: World;
let env: TestWorkflowEnvironment;
let world: string;
const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
beforeAll(async () => {
  w = await setupWorld({ overrides: { temporal: { taskQueue: 'bounty-deadline', sandboxTaskQueue: 'bounty-deadline-sandbox' }, sandbox: { limits: { timeoutMs: 4000 } } } });
  env = await startTimeSkipping();
  world = await readWorldId(w.pool);
  const hooks = { bountyCommitted: bountyCommittedHook(w.pool, w.config, bountyStarter(env.client, w.config, async () => world)) };
  w.deps.hooks = hooks;
  const ecology = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: w.config.temporal.taskQueue,
    workflowBundle: { code: (await workflowBundle(join(__dirname, '..', '..', 'workflows', 'bounty.ts'))).code },
    activities: { ...createSandboxActivities({ pool: w.pool, config: w.config, sandbox: null, hooks }), ...createBountyActivities({ pool: w.pool, config: w.config, temporal: env.client }) },
  });
  const sandbox = await createSandboxWorker({ connection: env.nativeConnection, pool: w.pool, config: w.config, sandbox: w.sandbox!, hooks });
  for (const worker of [ecology, sandbox]) workers.push({ worker, running: worker.run() });
  await w.principal('poster', { scrip: 1000 });
  for (const p of ['ann', 'bea']) await w.principal(p, { scrip: 10 });
}, 180_000);
afterAll(async () => {
  for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  await Promise.allSettled(workers.map((x) => x.running));
  await env?.teardown();
  await w?.close();
});

const deadlineResult = (bountyId: string) => env.client.workflow.getHandle(bountyWorkflowIds.deadline(world, bountyId)).result();

async function waitForVerdict(id: number): Promise<bq.SubmissionRow> {
  for (let i = 0; i < 400; i++) {
    const s = await bq.getSubmission(w.pool, id);
    if (s && s.status !== 'checking') return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no verdict on submission ${id}`);
}

test('an unsolved bounty is refunded at its deadline a day away, by a durable timer', async () => {
  await w.artifact('poster', 'never_passes', { code: 'export async function run() { return { pass: false, score: 0 } }' });
  const before = await w.scrip('poster');
  const posted = await w.invoke('poster', 'genesis_bounty', 'post', { id: 'day', description: 'a day to solve', checker: 'never_passes', reward: 200, deadline_seconds: 86_400 });
  expect(posted).toMatchObject({ ok: true, result: { status: 'open', reward: 200 } });
  expect(await w.scrip('poster')).toBe(before - 200);
  expect(await w.scrip('hold_bounty')).toBe(200);
  const start = await env.currentTimeMs();

  expect(await deadlineResult('day')).toEqual({ status: 'refunded' });
  expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(start + 86_000 * 1000);
  expect(await bq.getBounty(w.pool, 'day')).toMatchObject({ status: 'refunded', winner: null });
  expect(await w.scrip('poster')).toBe(before);
  expect(await w.scrip('hold_bounty')).toBe(0);
  const refunded = await w.pool.query(`SELECT data FROM events WHERE type = 'bounty_refunded' AND subject_id = 'day'`);
  expect(refunded.rows).toEqual([{ data: { bounty_id: 'day', poster: 'poster', reward: 200, status: 'refunded' } }]);
  await w.expectAuditOk();
}, 120_000);

test('mode best: the best passing submission wins at the deadline; a cancelled bounty\'s timer does nothing', async () => {
  // The score is what the submission says, when it says a number.
  await w.artifact('poster', 'scorer', {
    code: `export async function run(args, ctx) {
  const n = await ctx.invoke(args.submission, 'run', {});
  return typeof n === 'number' ? { pass: true, score: n } : { pass: false, score: 0 };
}`,
  });
  await w.artifact('ann', 'ann_try', { code: 'export function run() { return 60 }' });
  await w.artifact('bea', 'bea_try', { code: 'export function run() { return 80 }' });
  const posted = await w.invoke('poster', 'genesis_bounty', 'post', { id: 'best', description: 'highest wins', checker: 'scorer', reward: 50, deadline_seconds: 3600, mode: 'best' });
  expect(posted.ok).toBe(true);
  const ids: number[] = [];
  for (const [p, a] of [['ann', 'ann_try'], ['bea', 'bea_try']]) {
    const o = await w.invoke(p, 'genesis_bounty', 'submit', { bounty_id: 'best', artifact_id: a });
    expect(o.ok).toBe(true);
    ids.push((o as { result: { submission_id: number } }).result.submission_id);
  }
  const verdicts = await Promise.all(ids.map(waitForVerdict));
  expect(verdicts.map((v) => [v.status, v.score])).toEqual([['passed', 60], ['passed', 80]]);
  expect((await bq.getBounty(w.pool, 'best'))?.status).toBe('open');
  // Nothing passed may be taken back: the poster cannot cancel now.
  expect(await w.invoke('poster', 'genesis_bounty', 'cancel', { bounty_id: 'best' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

  const bea = await w.scrip('bea');
  expect(await deadlineResult('best')).toEqual({ status: 'solved' });
  expect(await bq.getBounty(w.pool, 'best')).toMatchObject({ status: 'solved', winner: 'bea', winning_artifact: 'bea_try', score: 80 });
  expect(await w.scrip('bea')).toBe(bea + 50);

  await w.invoke('poster', 'genesis_bounty', 'post', { id: 'gone', description: 'withdrawn soon', checker: 'scorer', reward: 30, deadline_seconds: 600 });
  expect(await w.invoke('poster', 'genesis_bounty', 'cancel', { bounty_id: 'gone' })).toMatchObject({ ok: true, result: { status: 'cancelled' } });
  expect(await deadlineResult('gone')).toEqual({ status: 'cancelled' });
  expect(await w.pool.query(`SELECT count(*)::int AS n FROM journal WHERE reference = 'gone'`)).toMatchObject({ rows: [{ n: 2 }] });
  await w.expectAuditOk();
}, 120_000);

test('a check whose start was lost (a crash between the submit and its hook) is started again at the deadline, and the bounty closes', async () => {
  await w.artifact('poster', 'ones', { code: 'export async function run(args, ctx) { const v = await ctx.invoke(args.submission); return { pass: v === 1, score: 50 } }' });
  await w.artifact('ann', 'ann_one', { code: 'export function run() { return 1 }' });
  expect((await w.invoke('poster', 'genesis_bounty', 'post', { id: 'lost', description: 'Return 1', checker: 'ones', reward: 20, deadline_seconds: 600 })).ok).toBe(true);
  // The submit commits but its hook never runs: no check workflow starts.
  const hooks = w.deps.hooks;
  w.deps.hooks = {};
  const sub = await w.invoke('ann', 'genesis_bounty', 'submit', { bounty_id: 'lost', artifact_id: 'ann_one' });
  w.deps.hooks = hooks;
  expect(sub).toMatchObject({ ok: true, result: { status: 'checking' } });
  const ann = await w.scrip('ann');

  expect(await deadlineResult('lost')).toEqual({ status: 'solved' });
  expect(await bq.getBounty(w.pool, 'lost')).toMatchObject({ status: 'solved', winner: 'ann', score: 50 });
  expect(await w.scrip('ann')).toBe(ann + 20);
  await w.expectAuditOk();
}, 120_000);

test("a post whose deadline timer was lost (a crash before its hook) gets it again from the world's bootstrap, and is refunded", async () => {
  const hooks = w.deps.hooks;
  w.deps.hooks = {};
  expect((await w.invoke('poster', 'genesis_bounty', 'post', { id: 'untimed', description: 'Return 2', checker: 'ones', reward: 30, deadline_seconds: 3600 })).ok).toBe(true);
  w.deps.hooks = hooks;
  const handle = env.client.workflow.getHandle(bountyWorkflowIds.deadline(world, 'untimed'));
  await expect(handle.describe()).rejects.toThrow(/not found/i);
  const poster = await w.scrip('poster');

  // What bootstrapWorld runs (src/ecology/bootstrap.ts); a second call keeps the running workflow.
  const starter = bountyStarter(env.client, w.config, async () => world);
  expect(await ensureBountyDeadlines(w.pool, starter)).toBeGreaterThanOrEqual(1);
  const { runId } = await handle.describe();
  await ensureBountyDeadlines(w.pool, starter);
  expect((await handle.describe()).runId).toBe(runId);

  expect(await deadlineResult('untimed')).toEqual({ status: 'refunded' });
  expect(await w.scrip('poster')).toBe(poster + 30);
  await w.expectAuditOk();
}, 120_000);
