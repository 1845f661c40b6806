/**
 * A posted bounty's checker is pinned, on the real services (PostgreSQL, Temporal dev server,
 * Docker): while the bounty is open the poster cannot rewrite, delete or give away its checker (to
 * fail a good submission and take the reward back at the deadline), each attempt a CONFLICT naming
 * the bounty, nor while a check of it still runs after a win; once the bounty is closed and its
 * checks are done the checker is the poster's again. And a check runs only
 * the code that was posted: a checker changed behind the service's back is not run, nothing charged.
 */
import { TEST_SANDBOX } from '../invoke/support';
import { DOUBLER_CHECKER, GOOD_SUBMISSION, setupBountyWorld, type BountyWorld } from './support';

let w: BountyWorld;
beforeAll(async () => {
  // Room for a check held open by its submission (the last test).
  w = await setupBountyWorld({
    sandbox: {
      ...TEST_SANDBOX,
      limits: { ...TEST_SANDBOX.limits, timeoutMs: 10_000 },
      activities: { timeoutMs: 20_000, initialIntervalMs: 100, maximumIntervalMs: 500, runScheduleToStartMs: 20_000, runTimeoutMs: 30_000, runMaximumAttempts: 2 },
    },
  });
  await w.principal('poster', { scrip: 1000 });
  await w.principal('accomplice', { scrip: 10 });
  await w.principal('solver', { scrip: 100 });
  await w.principal('sue', { scrip: 100 });
  await w.artifact('solver', 'solver_answer', { code: GOOD_SUBMISSION });
  await w.artifact('poster', 'anyone_may', { type: 'contract', code: 'export function check() { return true }' });
}, 180_000);
afterAll(async () => {
  await w?.stop();
});

const FAILING = 'export async function run() { return { pass: false, score: 0 } }';

async function post(id: string, checker: string) {
  const o = await w.call('poster', 'post', { id, description: `bounty ${id}`, checker, reward: 50, deadline_seconds: 3600 });
  if (!o.ok) throw new Error(`post failed: ${JSON.stringify(o)}`);
}

async function checkerRow(id: string) {
  return (await w.pool.query(`SELECT code, content, price, owner_id, access_contract_id, can_execute FROM artifacts WHERE id = $1`, [id])).rows[0];
}

test('while the bounty is open the poster cannot change, delete or give away its checker; a good submission then wins', async () => {
  await w.artifact('poster', 'pinned_check', { code: DOUBLER_CHECKER });
  await post('pinned', 'pinned_check');
  const before = await checkerRow('pinned_check');
  const attempts: Array<[string, string, Record<string, unknown>]> = [
    ['genesis_store', 'write', { id: 'pinned_check', code: FAILING }],
    ['genesis_store', 'write', { id: 'pinned_check', content: { answer: 'changed' } }],
    ['genesis_store', 'write', { id: 'pinned_check', price: 7 }],
    ['genesis_store', 'write', { id: 'pinned_check', can_execute: false }],
    ['genesis_store', 'write', { id: 'pinned_check', access_contract_id: 'anyone_may' }],
    ['genesis_store', 'delete', { id: 'pinned_check' }],
    ['genesis_store', 'transfer_ownership', { id: 'pinned_check', to: 'accomplice' }],
    ['genesis_escrow', 'deposit', { artifact_id: 'pinned_check', price: 1, buyer: 'accomplice' }],
  ];
  for (const [service, method, args] of attempts) {
    const o = await w.invoke('poster', service, method, args);
    const seen = o.ok ? 'ok' : `${o.error.code} ${/bounty pinned/.test(o.error.message) ? 'names the bounty' : o.error.message}`;
    expect([service, method, args, seen]).toEqual([service, method, args, 'CONFLICT names the bounty']);
  }
  expect(await checkerRow('pinned_check')).toEqual(before);
  const s = await w.verdict(((await w.call('solver', 'submit', { bounty_id: 'pinned', artifact_id: 'solver_answer' })) as { result: { submission_id: number } }).result.submission_id);
  expect(s).toMatchObject({ status: 'passed', score: 90 });
  expect(await w.bounty('pinned')).toMatchObject({ status: 'solved', winner: 'solver' });
  await w.expectAuditOk();
}, 90_000);

test('once the bounty is closed the checker is the poster\'s to change and delete again', async () => {
  await w.artifact('poster', 'freed_check', { code: DOUBLER_CHECKER });
  await post('freed', 'freed_check');
  expect(await w.invoke('poster', 'genesis_store', 'write', { id: 'freed_check', code: FAILING })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  expect(await w.call('poster', 'cancel', { bounty_id: 'freed' })).toMatchObject({ ok: true });
  expect(await w.invoke('poster', 'genesis_store', 'write', { id: 'freed_check', code: FAILING })).toMatchObject({ ok: true });
  expect(await w.invoke('poster', 'genesis_store', 'delete', { id: 'freed_check' })).toMatchObject({ ok: true });
  await w.expectAuditOk();
}, 60_000);

test('a check never runs other code than was posted: a checker changed behind the service is not run, and nothing is charged', async () => {
  await w.artifact('poster', 'swapped_check', { code: DOUBLER_CHECKER });
  await post('swapped', 'swapped_check');
  // Whatever path might change it (a bug, an operator's hand): the code is not what was posted.
  await w.pool.query(`UPDATE artifacts SET code = $2 WHERE id = $1`, ['swapped_check', FAILING]);
  const compute = await w.compute('solver');
  const o = await w.call('solver', 'submit', { bounty_id: 'swapped', artifact_id: 'solver_answer' });
  const s = await w.verdict((o as { result: { submission_id: number } }).result.submission_id);
  expect(s).toMatchObject({ status: 'failed', score: 0, error_code: 'CONFLICT', cpu_ms: 0 });
  expect(await w.compute('solver')).toBe(compute - w.config.genesis.computeCost['genesis_bounty.submit']!);
  expect((await w.bounty('swapped')).status).toBe('open');
  await w.expectAuditOk();
}, 60_000);

test('after a win, while another check of the bounty still runs, the checker stays pinned until that check ends', async () => {
  await w.artifact('poster', 'raced_check', { code: DOUBLER_CHECKER });
  // sue's submission answers only once the test opens its gate: its check runs until then.
  await w.artifact('sue', 'sue_gate', { type: 'data', content: { open: false } });
  await w.artifact('sue', 'sue_gated', {
    code: `export async function run(a, ctx) {
  for (let i = 0; i < 40; i++) {
    if ((await ctx.read('sue_gate')).content.open) return a.x * 2;
    await new Promise((r) => setTimeout(r, 200));
  }
  return 0;
}`,
  });
  await post('raced', 'raced_check');
  const slow = await w.call('sue', 'submit', { bounty_id: 'raced', artifact_id: 'sue_gated' });
  expect(slow.ok).toBe(true);
  await w.waitFor("sue's check to run", async () =>
    (await w.pool.query(`SELECT 1 FROM invocations WHERE artifact_id = 'sue_gated' AND status = 'held'`)).rowCount ? true : undefined,
  );
  const fast = await w.call('solver', 'submit', { bounty_id: 'raced', artifact_id: 'solver_answer' });
  expect(await w.verdict((fast as { result: { submission_id: number } }).result.submission_id)).toMatchObject({ status: 'passed' });
  expect(await w.bounty('raced')).toMatchObject({ status: 'solved', winner: 'solver' });
  const refused = await w.invoke('poster', 'genesis_store', 'write', { id: 'raced_check', code: FAILING });
  expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  if (!refused.ok) expect(refused.error.message).toMatch(/bounty raced, whose submissions are still being checked/);
  await w.artifact('sue', 'sue_gate', { content: { open: true } });
  expect(await w.verdict((slow as { result: { submission_id: number } }).result.submission_id)).toMatchObject({ status: 'late' });
  expect(await w.invoke('poster', 'genesis_store', 'write', { id: 'raced_check', code: FAILING })).toMatchObject({ ok: true });
  await w.expectAuditOk();
}, 90_000);
