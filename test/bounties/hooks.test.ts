/**
 * The saga step after a bounty operation commits (src/bounties/hooks.ts) when Temporal cannot start
 * its workflow: a post is undone (the reward returns, the bounty is cancelled) and fails
 * UNAVAILABLE; a submission is marked failed before anything was charged for its check.
 */
import { bountyCommittedHook } from '../../src/bounties/hooks';
import * as bq from '../../src/bounties/queries';
import { setupWorld, type World } from '../invoke/support';

let w: World;
const down = () => Promise.reject(new Error('temporal is down'));
beforeAll(async () => {
  w = await setupWorld({ sandbox: null });
  await w.principal('poster', { scrip: 100 });
  await w.principal('solver', { scrip: 0 });
  await w.artifact('poster', 'checker', { code: 'export function run() { return { pass: true, score: 1 } }' });
  await w.artifact('solver', 'answer', { code: 'export function run() { return 1 }' });
}, 60_000);
afterAll(() => w?.close());

test('a post whose deadline timer cannot start is undone: UNAVAILABLE, the reward back, the bounty cancelled', async () => {
  w.deps.hooks = { bountyCommitted: bountyCommittedHook(w.pool, w.config, { startDeadline: down, startCheck: down }) };
  const args = { id: 'untimed', description: 'no timer', checker: 'checker', reward: 40, deadline_seconds: 60 };
  const key = w.key();
  const o = await w.invoke('poster', 'genesis_bounty', 'post', args, key);
  expect(o).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  // A retry of the operation says the same (the stored outcome was a success before the hook ran).
  expect(await w.invoke('poster', 'genesis_bounty', 'post', args, key)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' }, replayed: true });
  expect((o as { error: { message: string } }).error.message).toContain('temporal is down');
  expect(await w.scrip('poster')).toBe(100);
  expect(await w.scrip('hold_bounty')).toBe(0);
  expect(await bq.getBounty(w.pool, 'untimed')).toMatchObject({ status: 'cancelled' });
  await w.expectAuditOk();
});

test('a submission whose check cannot start is marked failed, nothing charged for a check', async () => {
  w.deps.hooks = { bountyCommitted: bountyCommittedHook(w.pool, w.config, { startDeadline: async () => undefined, startCheck: down }) };
  expect(await w.invoke('poster', 'genesis_bounty', 'post', { id: 'unchecked', description: 'no checks', checker: 'checker', reward: 40, deadline_seconds: 60 })).toMatchObject({ ok: true });
  const before = await w.compute('solver');
  const key = w.key();
  const o = await w.invoke('solver', 'genesis_bounty', 'submit', { bounty_id: 'unchecked', artifact_id: 'answer' }, key);
  expect(o).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  expect(await w.invoke('solver', 'genesis_bounty', 'submit', { bounty_id: 'unchecked', artifact_id: 'answer' }, key)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' }, replayed: true });
  const [s] = (await w.pool.query<bq.SubmissionRow>(`SELECT * FROM bounty_submissions WHERE bounty_id = 'unchecked'`)).rows;
  expect(s).toMatchObject({ status: 'failed', error_code: 'UNAVAILABLE', cpu_ms: 0 });
  expect(await w.compute('solver')).toBe(before - w.config.genesis.computeCost['genesis_bounty.submit']!);
  expect((await w.pool.query(`SELECT count(*)::int AS n FROM invocations WHERE key = $1`, [s!.check_key])).rows[0].n).toBe(0);
  // The bounty stays open, and the poster may cancel it: nothing is being checked.
  expect(await w.invoke('poster', 'genesis_bounty', 'cancel', { bounty_id: 'unchecked' })).toMatchObject({ ok: true, result: { status: 'cancelled' } });
  expect(await w.scrip('poster')).toBe(100);
  await w.expectAuditOk();
});
