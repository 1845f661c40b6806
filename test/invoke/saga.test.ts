/** The invocation saga on a real Docker daemon and PostgreSQL: money, compute, idempotency, refusals. */
import { grant } from '../../src/buckets/store';
import { withTransaction } from '../../src/db/tx';
import { dispatch } from '../../src/genesis/dispatch';
import { holdInvocation } from '../../src/invoke/hold';
import { invoke } from '../../src/invoke/invoke';
import { runInvocation } from '../../src/invoke/run';
import { settleInvocation } from '../../src/invoke/settle';
import { setupWorld, show, type World } from './support';

let w: World;

const ADDER = 'export function run(a) { return a.x + a.y }\nexport function double(a) { return 2 * a.x }\n';

beforeAll(async () => {
  w = await setupWorld();
  await w.principal('alice');
  await w.principal('bob');
  await w.artifact('alice', 'adder', { code: ADDER, price: 5 });
  await w.artifact('alice', 'free', { code: 'export function run() { return "gratis" }' });
  await w.artifact('alice', 'secret', { code: ADDER, price: 1, access_contract_id: 'genesis_private' });
  await w.artifact('alice', 'notes', { content: { text: 'not code' } });
  await w.artifact('alice', 'robot', { code: 'export function run(a) { let s = 0; for (let i = 0; i < 2e6; i++) s += i; return { s, n: a.n } }', price: 3, has_standing: true });
  await withTransaction(w.pool, (c) => grant(c, { id: 'fund-robot', principal: 'robot', resource: 'compute', amount: 50_000, kind: 'test' }));
}, 60_000);
afterAll(() => w?.close());

async function journalCount(key: string): Promise<Record<string, number>> {
  const r = await w.pool.query<{ kind: string; n: string }>(`SELECT kind, count(*)::text AS n FROM journal WHERE id LIKE $1 || ':%' GROUP BY kind`, [key]);
  return Object.fromEntries(r.rows.map((x) => [x.kind, Number(x.n)]));
}

test('success: the price goes to the owner, the invoker pays the CPU it used, the audit passes', async () => {
  const [bobScrip, aliceScrip, bobCpu, aliceCpu] = [await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob'), await w.compute('alice')];
  const key = w.key();
  const o = await w.invoke('bob', 'adder', 'run', { x: 2, y: 3 }, key);
  expect(o).toMatchObject({ ok: true, result: 5, replayed: false, invocation: { price: 5, paid_to: 'alice', refunded: false, payer: 'bob' } });
  expect(o.compute_charged).toBeGreaterThan(0);
  expect(await w.scrip('bob')).toBe(bobScrip - 5);
  expect(await w.scrip('alice')).toBe(aliceScrip + 5);
  expect(await w.compute('bob')).toBe(bobCpu - o.compute_charged);
  expect(await w.compute('alice')).toBe(aliceCpu);
  expect(await w.scrip('hold_invoke')).toBe(0);
  expect(await journalCount(key)).toEqual({ invoke_hold: 1, invoke_pay: 1 });
  const ev = await w.pool.query(`SELECT type, actor_id, subject_id, data FROM events WHERE type LIKE 'invocation_%' AND data->>'key' = $1`, [key]);
  expect(ev.rows).toEqual([expect.objectContaining({ type: 'invocation_completed', actor_id: 'bob', subject_id: 'adder' })]);
  await w.expectAuditOk();
});

test('another exported function is called by name; a missing one fails NO_SUCH_FUNCTION and is refunded', async () => {
  const o = await w.invoke('bob', 'adder', 'double', { x: 21 });
  expect(o).toMatchObject({ ok: true, result: 42 });
  const before = await w.scrip('bob');
  const missing = await w.invoke('bob', 'adder', 'nope', {});
  expect(missing).toMatchObject({ ok: false, error: { code: 'NO_SUCH_FUNCTION' }, invocation: { refunded: true } });
  expect(await w.scrip('bob')).toBe(before);
  await w.expectAuditOk();
});

test('compute follows standing: an artifact with standing pays its own CPU, the invoker only the price', async () => {
  const [bobScrip, bobCpu, robotCpu] = [await w.scrip('bob'), await w.compute('bob'), await w.compute('robot')];
  const o = await w.invoke('bob', 'robot', 'run', { n: 1 });
  expect(o).toMatchObject({ ok: true, result: { n: 1 }, invocation: { payer: 'robot', paid_to: 'alice' } });
  expect(o.compute_charged).toBeGreaterThan(0);
  expect(await w.compute('robot')).toBe(robotCpu - o.compute_charged);
  expect(await w.compute('bob')).toBe(bobCpu);
  expect(await w.scrip('bob')).toBe(bobScrip - 3);
  await w.expectAuditOk();
});

test('a price of 0 moves no money', async () => {
  const key = w.key();
  const o = await w.invoke('bob', 'free', 'run', {}, key);
  expect(o).toMatchObject({ ok: true, result: 'gratis', invocation: { price: 0, paid_to: null } });
  expect(await journalCount(key)).toEqual({});
});

test('a repeat of the key returns the first outcome and changes nothing; another request under it is a conflict', async () => {
  const key = w.key();
  const first = await w.invoke('bob', 'adder', 'run', { x: 1, y: 1 }, key);
  const money = [await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob')];
  const again = await w.invoke('bob', 'adder', 'run', { x: 1, y: 1 }, key);
  expect(again).toEqual({ ...first, replayed: true });
  expect([await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob')]).toEqual(money);
  const other = await w.invoke('bob', 'adder', 'run', { x: 9, y: 9 }, key);
  expect(other).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
  expect([await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob')]).toEqual(money);
});

test('each saga step called twice (success and failure paths) gives the same final ledger', async () => {
  for (const code of ['export function run() { return "fine" }', 'export function run() { throw new Error("nope") }']) {
    const id = `twice-${code.includes('throw') ? 'bad' : 'good'}`;
    await w.artifact('alice', id, { code, price: 4 });
    const key = w.key();
    const req = { caller: 'bob', artifactId: id, method: 'run', args: {}, key };
    const [bobScrip, aliceScrip, bobCpu] = [await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob')];
    const h1 = await holdInvocation(w.deps, req);
    const h2 = await holdInvocation(w.deps, req);
    expect(h1).toMatchObject({ ok: true, price: 4, replayed: false });
    expect(h2).toMatchObject({ ok: true, price: 4, replayed: true });
    expect(await w.scrip('bob')).toBe(bobScrip - 4);
    const r1 = await runInvocation(w.deps, { key }, invoke);
    const r2 = await runInvocation(w.deps, { key }, invoke);
    expect(r2).toEqual({ record: r1.record, replayed: true });
    const s1 = await settleInvocation(w.deps, { key });
    const s2 = await settleInvocation(w.deps, { key, failure: { code: 'CRASHED', message: 'ignored' } });
    expect(s2).toEqual({ ...s1, replayed: true });
    const ok = !code.includes('throw');
    expect(s1.ok).toBe(ok);
    expect(await w.scrip('bob')).toBe(bobScrip - (ok ? 4 : 0));
    expect(await w.scrip('alice')).toBe(aliceScrip + (ok ? 4 : 0));
    expect(await w.compute('bob')).toBe(bobCpu - r1.record.cpuMs);
    expect(await journalCount(key)).toEqual(ok ? { invoke_hold: 1, invoke_pay: 1 } : { invoke_hold: 1, invoke_refund: 1 });
    // A hold after settlement replays; the whole saga replays too.
    expect(await holdInvocation(w.deps, req)).toMatchObject({ ok: true, replayed: true });
    expect(await invoke(w.deps, req)).toEqual({ ...s1, replayed: true });
    await w.expectAuditOk();
  }
});

test('refusals move nothing: no money, no access, compute debt', async () => {
  const snapshot = async () => [await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob'), await w.scrip('hold_invoke')];
  await w.principal('poor', { scrip: 2 });
  const poorBefore = [await w.scrip('poor'), await w.compute('poor')];
  expect(await w.invoke('poor', 'adder', 'run', { x: 1, y: 2 })).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' }, compute_charged: 0 });
  expect([await w.scrip('poor'), await w.compute('poor')]).toEqual(poorBefore);

  const before = await snapshot();
  expect(await w.invoke('bob', 'secret', 'run', { x: 1, y: 2 })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await snapshot()).toEqual(before);
  // The owner may invoke its private tool (and pays itself the price).
  expect(await w.invoke('alice', 'secret', 'run', { x: 1, y: 2 })).toMatchObject({ ok: true, result: 3 });

  await w.principal('debtor');
  await withTransaction(w.pool, (c) => c.query(`UPDATE buckets SET balance = -10 WHERE principal_id = 'debtor' AND resource = 'compute'`));
  const d = await w.invoke('debtor', 'adder', 'run', { x: 1, y: 2 });
  expect(d).toMatchObject({ ok: false, error: { code: 'IN_DEBT' } });
  expect(await w.scrip('debtor')).toBe(1000);

  expect(await w.invoke('bob', 'adder', 'run!', {})).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect(await w.invoke('ghost', 'adder', 'run', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  await w.expectAuditOk();
});

test('invoke() sends genesis services and non-code artifacts to dispatch; dispatch alone refuses code clearly', async () => {
  const t = await w.invoke('bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 1 });
  expect(t).toMatchObject({ ok: true, compute_charged: 1 });
  expect(t.invocation).toBeUndefined();
  expect(await w.invoke('bob', 'notes', 'run', {})).toMatchObject({ ok: false, error: { code: 'NOT_EXECUTABLE' } });
  const direct = await dispatch({ pool: w.pool, config: w.config }, { caller: 'bob', artifactId: 'adder', method: 'run', args: {}, key: w.key() });
  expect(direct).toMatchObject({ ok: false, error: { code: 'SANDBOX_UNAVAILABLE' } });
  if (!direct.ok) expect(direct.error.message).toContain('invoke()');
  await w.expectAuditOk();
});

test('args may be any JSON value; a result JSON cannot hold (NaN) fails OUTPUT_NOT_JSON and is refunded', async () => {
  await w.artifact('alice', 'typeof', { code: 'export function run(a) { return typeof a }' });
  expect(await w.invoke('bob', 'typeof', 'run', 'a string')).toMatchObject({ ok: true, result: 'string' });
  const before = await w.scrip('bob');
  const o = await w.invoke('bob', 'adder', 'run', 'not an object');
  expect(o).toMatchObject({ ok: false, error: { code: 'OUTPUT_NOT_JSON' }, invocation: { refunded: true } });
  expect(show(o)).toContain('NaN');
  expect(await w.scrip('bob')).toBe(before);
  await w.expectAuditOk();
});
