/**
 * Bounties against hostile code, on the real services (PostgreSQL, the Temporal dev server, Docker):
 * checkers that loop, crash or return garbage are contained and charged to the submitter; a
 * submission that tries to read the checker (the answer) is refused; a submitter cannot submit what
 * it does not own; racing passing submissions win exactly one reward; a post beyond the poster's
 * scrip moves nothing; replayed posts and submits hold and check once. The audit passes throughout.
 */
import * as bq from '../../src/bounties/queries';
import { DOUBLER_CHECKER, GOOD_SUBMISSION, setupBountyWorld, type BountyWorld } from './support';

let w: BountyWorld;
beforeAll(async () => {
  w = await setupBountyWorld();
  await w.principal('poster', { scrip: 1000 });
  for (const p of ['sam', 'sue', 'sid', 'sal']) await w.principal(p, { scrip: 100 });
  await w.artifact('poster', 'doubler_check', { code: DOUBLER_CHECKER });
  for (const p of ['sam', 'sue', 'sid', 'sal']) await w.artifact(p, `${p}_answer`, { code: GOOD_SUBMISSION });
}, 180_000);
afterAll(async () => {
  await w?.stop();
});

const hold = () => w.scrip('hold_bounty');

async function post(id: string, checker: string, reward: number, extra: Record<string, unknown> = {}) {
  const o = await w.call('poster', 'post', { id, description: `bounty ${id}`, checker, reward, deadline_seconds: 3600, ...extra });
  if (!o.ok) throw new Error(`post failed: ${JSON.stringify(o)}`);
  return o;
}

async function submit(submitter: string, bountyId: string, artifactId: string): Promise<number> {
  const o = await w.call(submitter, 'submit', { bounty_id: bountyId, artifact_id: artifactId });
  if (!o.ok) throw new Error(`submit failed: ${JSON.stringify(o)}`);
  return (o.result as { submission_id: number }).submission_id;
}

test('a checker that loops forever is killed at the time limit; the submitter pays its CPU; the bounty stays open', async () => {
  await w.artifact('poster', 'spin_check', { code: 'export async function run() { for (;;) {} }' });
  await post('spin', 'spin_check', 50);
  const before = await w.compute('sam');
  const s = await w.verdict(await submit('sam', 'spin', 'sam_answer'));
  expect(s).toMatchObject({ status: 'failed', score: 0, error_code: 'TIMEOUT' });
  expect(s.cpu_ms).toBeGreaterThan(0);
  // The method's own compute plus the checker's CPU, all the submitter's.
  expect(await w.compute('sam')).toBe(before - w.config.genesis.computeCost['genesis_bounty.submit']! - s.cpu_ms);
  expect(await w.compute('poster')).toBeGreaterThan(0);
  expect((await w.bounty('spin')).status).toBe('open');
  await w.expectAuditOk();
}, 90_000);

test('a checker that crashes, or returns garbage, fails the submission (score 0) and is charged', async () => {
  await w.artifact('poster', 'crash_check', { code: 'export async function run() { throw new Error("boom") }' });
  await w.artifact('poster', 'garbage_check', { code: 'export async function run() { return { pass: "yes", score: 1e9 } }' });
  await post('crash', 'crash_check', 10);
  await post('garbage', 'garbage_check', 10);
  const crashed = await w.verdict(await submit('sue', 'crash', 'sue_answer'));
  const garbage = await w.verdict(await submit('sue', 'garbage', 'sue_answer'));
  expect(crashed).toMatchObject({ status: 'failed', score: 0, error_code: 'CODE_THREW' });
  expect(garbage).toMatchObject({ status: 'failed', score: 0, error_code: 'BAD_CHECKER_RESULT' });
  expect(crashed.cpu_ms + garbage.cpu_ms).toBeGreaterThan(0);
  expect((await w.bounty('crash')).status).toBe('open');
  expect((await w.bounty('garbage')).status).toBe('open');
  await w.expectAuditOk();
}, 90_000);

test('a submission that tries to read the checker (the answer) is refused; the answer appears nowhere it can see', async () => {
  const secret = 'ANSWER-7f3a9c';
  await w.artifact('poster', 'secret_check', {
    code: `const ANSWER = '${secret}';
export async function run(args, ctx) {
  const out = await ctx.invoke(args.submission, 'run', {});
  return { pass: out === ANSWER, score: out === ANSWER ? 100 : 0 };
}`,
  });
  await post('secret', 'secret_check', 40);
  // post made the checker private: its poster's own read still works, a submitter's does not.
  expect(await w.invoke('sid', 'genesis_store', 'read', { id: 'secret_check' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  await w.artifact('sid', 'snoop', {
    code: `export async function run(args, ctx) {
  const tries = {};
  for (const [name, f] of Object.entries({
    read: () => ctx.read('secret_check'),
    store_read: () => ctx.invoke('genesis_store', 'read', { id: 'secret_check' }),
    describe: () => ctx.invoke('genesis_store', 'describe', { id: 'secret_check' }),
    invoke: () => ctx.invoke('secret_check', 'run', { submission: 'snoop' }),
  })) {
    try { tries[name] = await f(); } catch (e) { tries[name] = 'refused ' + e.code; }
  }
  const found = JSON.stringify(tries).match(/ANSWER-[0-9a-f]+/);
  return found ? found[0] : JSON.stringify(tries);
}`,
  });
  const s = await w.verdict(await submit('sid', 'secret', 'snoop'));
  expect(s).toMatchObject({ status: 'failed', score: 0 });
  // What the submission learned is its nested invocation's result: refusals, and no answer.
  const nested = await w.pool.query<{ run_result: unknown }>(`SELECT run_result FROM invocations WHERE key LIKE $1 AND key <> $2`, [`${s.check_key}:%`, s.check_key]);
  expect(nested.rows.length).toBeGreaterThan(0);
  const learned = JSON.stringify(nested.rows);
  expect(learned).not.toContain(secret);
  expect(learned).toContain('refused FORBIDDEN');
  const check = await w.call('sid', 'check', { bounty_id: 'secret' });
  expect(check.ok).toBe(true);
  expect(JSON.stringify(check)).not.toContain(secret);
  expect((await w.bounty('secret')).status).toBe('open');
  await w.expectAuditOk();
}, 90_000);

test('a submitter cannot submit an artifact it does not own; a post beyond the poster\'s scrip moves nothing', async () => {
  await post('owned', 'doubler_check', 10);
  const [samBefore, n] = [await w.scrip('sam'), (await w.pool.query('SELECT count(*)::int AS n FROM bounty_submissions')).rows[0].n];
  const stolen = await w.call('sam', 'submit', { bounty_id: 'owned', artifact_id: 'sue_answer' });
  expect(stolen).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect((await w.pool.query('SELECT count(*)::int AS n FROM bounty_submissions')).rows[0].n).toBe(n);
  expect(await w.scrip('sam')).toBe(samBefore);

  await w.artifact('sam', 'sam_check', { code: DOUBLER_CHECKER });
  const held = await hold();
  const broke = await w.call('sam', 'post', { id: 'too_rich', description: 'more than I have', checker: 'sam_check', reward: samBefore + 1, deadline_seconds: 60 });
  expect(broke).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
  expect(await w.scrip('sam')).toBe(samBefore);
  expect(await hold()).toBe(held);
  expect(await bq.getBounty(w.pool, 'too_rich')).toBeUndefined();
  // The failed post changed nothing else either: the checker is still readable as before.
  expect((await w.pool.query(`SELECT access_contract_id FROM artifacts WHERE id = 'sam_check'`)).rows[0].access_contract_id).not.toBe('genesis_private');
  await w.expectAuditOk();
}, 60_000);

test('replayed post and submit with the same key hold once and check once', async () => {
  const [poster, held] = [await w.scrip('poster'), await hold()];
  const key = w.key();
  const args = { id: 'replayed', description: 'once', checker: 'doubler_check', reward: 30, deadline_seconds: 3600 };
  const first = await w.call('poster', 'post', args, key);
  const again = await w.call('poster', 'post', args, key);
  expect(first).toMatchObject({ ok: true, replayed: false });
  expect(again).toMatchObject({ ok: true, replayed: true });
  expect(await w.scrip('poster')).toBe(poster - 30);
  expect(await hold()).toBe(held + 30);

  // A slow-to-pass submission: mode first, so the first check wins.
  const skey = w.key();
  const sub = { bounty_id: 'replayed', artifact_id: 'sal_answer' };
  const [a, b] = await Promise.all([w.call('sal', 'submit', sub, skey), w.call('sal', 'submit', sub, skey)]);
  expect(a.ok && b.ok).toBe(true);
  const ids = new Set([a, b].map((o) => (o as { result: { submission_id: number } }).result.submission_id));
  expect(ids.size).toBe(1);
  const s = await w.verdict([...ids][0]);
  expect(s.status).toBe('passed');
  expect((await w.pool.query(`SELECT count(*)::int AS n FROM bounty_submissions WHERE bounty_id = 'replayed'`)).rows[0].n).toBe(1);
  expect((await w.pool.query(`SELECT count(*)::int AS n FROM invocations WHERE key = $1`, [s.check_key])).rows[0].n).toBe(1);
  expect(await w.bounty('replayed')).toMatchObject({ status: 'solved', winner: 'sal', winning_artifact: 'sal_answer', score: 90 });
  await w.expectAuditOk();
}, 90_000);

test('racing passing submissions: exactly one reward', async () => {
  await post('race', 'doubler_check', 70);
  const racers = ['sam', 'sue', 'sid', 'sal'];
  const before = Object.fromEntries(await Promise.all(racers.map(async (p) => [p, await w.scrip(p)] as const)));
  const ids = await Promise.all(racers.map((p) => submit(p, 'race', `${p}_answer`)));
  const verdicts = await Promise.all(ids.map((id) => w.verdict(id)));
  const winners = verdicts.filter((v) => v.status === 'passed');
  expect([winners.length, verdicts.map((v) => v.error_code)]).toEqual([1, racers.map(() => null)]);
  expect(verdicts.map((v) => [v.status, v.error_code]).filter(([s]) => s !== 'passed')).toEqual(racers.slice(1).map(() => ['late', null]));
  const b = await w.bounty('race');
  expect(b).toMatchObject({ status: 'solved', winner: winners[0].submitter });
  for (const p of racers) expect(await w.scrip(p)).toBe(before[p] + (p === b.winner ? 70 : 0));
  const solved = await w.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'bounty_solved' AND subject_id = 'race'`);
  expect(solved.rows[0].n).toBe(1);
  // A closed bounty takes no more submissions, and the poster cannot cancel it.
  expect(await w.call('sam', 'submit', { bounty_id: 'race', artifact_id: 'sam_answer' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  expect(await w.call('poster', 'cancel', { bounty_id: 'race' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  await w.expectAuditOk();
}, 120_000);

test('cancel: the poster only, and the reward returns', async () => {
  const poster = await w.scrip('poster');
  await post('withdrawn', 'doubler_check', 25);
  expect(await w.call('sam', 'cancel', { bounty_id: 'withdrawn' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await w.call('poster', 'cancel', { bounty_id: 'withdrawn' })).toMatchObject({ ok: true, result: { status: 'cancelled' } });
  expect(await w.scrip('poster')).toBe(poster);
  expect(await w.call('sam', 'submit', { bounty_id: 'withdrawn', artifact_id: 'sam_answer' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  const listed = await w.call('sam', 'list', { open: true });
  expect((listed as { result: Array<{ bounty_id: string }> }).result.map((b) => b.bounty_id)).not.toContain('withdrawn');
  await w.expectAuditOk();
}, 60_000);

test('bad deadlines and descriptions are refused with INVALID_ARGUMENT, nothing moved', async () => {
  const [poster, held] = [await w.scrip('poster'), await hold()];
  const base = { description: 'x', checker: 'doubler_check', reward: 5 };
  const bad: Array<Record<string, unknown>> = [
    { deadline_seconds: Number.MAX_SAFE_INTEGER },
    { deadline_seconds: w.config.bounties.maxDeadlineSeconds + 1 },
    { deadline: '2001-01-01T00:00:00Z' },
    { deadline: '294277-01-01T00:00:00Z' },
    { deadline: 'Tue, 01 Jan 2030 00:00:00' },
    { deadline: 'tomorrow' },
    { deadline: '2030-02-30T00:00:00Z' },
    { deadline: '2030-01-01T00:00:00Z', deadline_seconds: 60 },
    {},
    { deadline_seconds: 60, description: ' \n ' },
    { deadline_seconds: 60, description: 'y'.repeat(w.config.bounties.maxDescriptionChars + 1) },
  ];
  for (const [i, extra] of bad.entries()) {
    const o = await w.call('poster', 'post', { id: `bad_${i}`, ...base, ...extra });
    expect([extra, o.ok ? 'ok' : o.error.code]).toEqual([extra, 'INVALID_ARGUMENT']);
  }
  expect(await w.scrip('poster')).toBe(poster);
  expect(await hold()).toBe(held);
  await w.expectAuditOk();
}, 60_000);
