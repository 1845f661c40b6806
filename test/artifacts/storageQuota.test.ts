/**
 * Every stored byte is charged to someone: loops that once stored past a principal's disk quota
 * (listing frees disk and cancelling takes it back; debt offers; giving away disk in use) stop at
 * the quota, and the records of operations stay small whatever their arguments and results
 * (arguments are kept as a digest; results of reads are not kept: a replay reads again).
 */
import { setupFoundation, type Foundation } from '../support/harness';

let f: Foundation;
const QUOTA = 2000;
const big = (n: number) => ({ text: 'x'.repeat(n) });

beforeAll(async () => {
  f = await setupFoundation();
  for (const p of ['alice', 'bob', 'carol', 'dave', 'erin']) await f.principal(p, { scrip: 1000, compute: 1_000_000, quotas: { disk_bytes: QUOTA } });
  await f.principal('hoarder', { compute: 1_000_000, quotas: { disk_bytes: 10 * 65_536 } });
});
afterAll(() => f?.close());

async function owned(id: string): Promise<number> {
  return (await f.pool.query<{ n: number }>('SELECT COALESCE(sum(size_bytes), 0)::int AS n FROM artifacts WHERE owner_id = $1', [id])).rows[0].n;
}

test('create, deposit, create, deposit... then cancel everything: the seller never holds more than its quota', async () => {
  const codes: string[] = [];
  for (let i = 0; i < 5; i++) {
    const o = await f.call('alice', 'genesis_store', 'create', { id: `crate${i}`, type: 'data', content: big(1200) });
    codes.push(o.ok ? 'ok' : o.error.code);
    if (o.ok) await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: `crate${i}`, price: 1 });
  }
  expect(codes).toEqual(['ok', 'QUOTA_EXCEEDED', 'QUOTA_EXCEEDED', 'QUOTA_EXCEEDED', 'QUOTA_EXCEEDED']);
  for (const l of await f.ok<Array<{ artifact_id: string; seller: string }>>('alice', 'genesis_escrow', 'list_active')) {
    if (l.seller === 'alice') await f.ok('alice', 'genesis_escrow', 'cancel', { artifact_id: l.artifact_id });
  }
  expect(await owned('alice')).toBeLessThanOrEqual(QUOTA);
  await f.expectAuditOk();
});

test('a listed artifact counts for its seller until it is sold; then the buyer pays for it', async () => {
  await f.ok('bob', 'genesis_store', 'create', { id: 'chair', type: 'data', content: big(1200) });
  await f.ok('bob', 'genesis_escrow', 'deposit', { artifact_id: 'chair', price: 3 });
  await f.fails('QUOTA_EXCEEDED', 'bob', 'genesis_store', 'create', { id: 'table', type: 'data', content: big(1200) });
  await f.ok('carol', 'genesis_escrow', 'purchase', { artifact_id: 'chair' });
  await f.ok('bob', 'genesis_store', 'create', { id: 'table', type: 'data', content: big(1200) });
  // carol now owns the chair: a second one does not fit.
  await f.fails('QUOTA_EXCEEDED', 'carol', 'genesis_store', 'create', { id: 'stool', type: 'data', content: big(1200) });
  await f.expectAuditOk();
});

test('debt offers are charged to the debtor: an offer loop stops at the quota', async () => {
  const due = new Date(Date.now() + 86_400_000).toISOString();
  const codes: string[] = [];
  for (let i = 0; i < 20; i++) {
    const o = await f.call('dave', 'genesis_debt', 'offer', { creditor: 'erin', amount: 10 + i, due });
    codes.push(o.ok ? 'ok' : o.error.code);
  }
  expect(codes).toContain('QUOTA_EXCEEDED');
  expect(await owned('dave')).toBeLessThanOrEqual(QUOTA);
});

test('accepting a debt is refused when the contract does not fit the creditor', async () => {
  const due = new Date(Date.now() + 86_400_000).toISOString();
  await f.ok('erin', 'genesis_store', 'create', { id: 'erin_full', type: 'data', content: big(QUOTA - 60) });
  const offer = await f.ok<{ debt_id: string }>('carol', 'genesis_debt', 'offer', { creditor: 'erin', amount: 5, due });
  await f.fails('QUOTA_EXCEEDED', 'erin', 'genesis_debt', 'accept', { debt_id: offer.debt_id });
  expect(await owned('erin')).toBeLessThanOrEqual(QUOTA);
  await f.expectAuditOk();
});

test('disk in use cannot be given away', async () => {
  const used = await owned('bob');
  expect(used).toBeGreaterThan(0);
  await f.fails('QUOTA_EXCEEDED', 'bob', 'genesis_rights_registry', 'transfer_quota', { to: 'carol', resource: 'disk_bytes', amount: QUOTA - used + 1 });
  await f.ok('bob', 'genesis_rights_registry', 'transfer_quota', { to: 'carol', resource: 'disk_bytes', amount: QUOTA - used });
});

async function recordBytes(caller: string): Promise<number> {
  const r = await f.pool.query<{ n: number }>('SELECT COALESCE(sum(octet_length(args::text) + octet_length(result::text)), 0)::int AS n FROM operations WHERE caller_id = $1', [caller]);
  return r.rows[0].n;
}

test('failed operations do not store their (large) arguments; replay and conflict detection still work', async () => {
  await f.ok('hoarder', 'genesis_store', 'create', { id: 'hoard', type: 'data', content: big(60_000) });
  const before = await recordBytes('hoarder');
  const keys: string[] = [];
  for (let i = 0; i < 10; i++) {
    const key = f.key();
    keys.push(key);
    await f.fails('ALREADY_EXISTS', 'hoarder', 'genesis_store', 'create', { id: 'hoard', type: 'data', content: big(60_000) }, key);
  }
  expect((await recordBytes('hoarder')) - before).toBeLessThan(10 * 2048);
  const again = await f.call('hoarder', 'genesis_store', 'create', { id: 'hoard', type: 'data', content: big(60_000) }, keys[0]);
  expect(again).toMatchObject({ ok: false, replayed: true, error: { code: 'ALREADY_EXISTS' } });
  const other = await f.call('hoarder', 'genesis_store', 'create', { id: 'hoard', type: 'data', content: big(59_999) }, keys[0]);
  expect(other).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
});

test('reads do not store what they read; a repeated key reads again, without a second charge', async () => {
  const before = await recordBytes('hoarder');
  const key = f.key();
  const first = await f.call('hoarder', 'genesis_store', 'read', { id: 'hoard' }, key);
  expect(first).toMatchObject({ ok: true, replayed: false, result: { id: 'hoard', content: big(60_000) } });
  for (let i = 0; i < 9; i++) await f.ok('hoarder', 'genesis_store', 'read', { id: 'hoard' });
  expect((await recordBytes('hoarder')) - before).toBeLessThan(10 * 2048);
  const compute = (await f.bucket('hoarder')).available;
  const again = await f.call('hoarder', 'genesis_store', 'read', { id: 'hoard' }, key);
  expect(again).toMatchObject({ ok: true, replayed: true, compute_charged: first.compute_charged, result: { id: 'hoard', content: big(60_000) } });
  expect((await f.bucket('hoarder')).available).toBe(compute);
  await f.expectAuditOk();
});

test('an error quoting a huge request is cut before it is stored (and returned)', async () => {
  const junk = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`unknown_key_${i}`, 1]));
  const key = f.key();
  const o = await f.fails('INVALID_ARGUMENT', 'hoarder', 'genesis_store', 'create', { id: 'junk', type: 'data', ...junk }, key);
  expect(o.error.message.length).toBeLessThan(f.config.limits.maxErrorMessageChars + 100);
  const stored = await f.pool.query<{ n: number }>('SELECT octet_length(args::text) + octet_length(result::text) AS n FROM operations WHERE key = $1', [key]);
  expect(stored.rows[0].n).toBeLessThan(f.config.limits.maxErrorMessageChars + 1024);
  expect(await f.call('hoarder', 'genesis_store', 'create', { id: 'junk', type: 'data', ...junk }, key)).toEqual({ ...o, replayed: true });
});
