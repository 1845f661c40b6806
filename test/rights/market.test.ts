/**
 * The market for rights (genesis_escrow offer_right / buy_right / cancel_right): an offered amount
 * leaves the seller into the escrow's hold, a purchase moves scrip and right in one transaction,
 * racing buyers cannot both win, and the audit counts what is offered.
 */
import { getQuotas } from '../../src/rights/quotas';
import { eventsSince, setupFoundation, type Foundation } from '../support/harness';

let f: Foundation;
const RATE0 = { compute_rate: 0 };

beforeAll(async () => {
  f = await setupFoundation();
  for (const p of ['alice', 'bob', 'carol', 'dave']) await f.principal(p, { scrip: 1000, compute: 5000, quotas: RATE0 });
}, 60_000);
afterAll(() => f?.close());

async function quotas(p: string) {
  const client = await f.pool.connect();
  try {
    return await getQuotas(client, p);
  } finally {
    client.release();
  }
}

interface OfferView {
  offer_id: number;
  resource: string;
  amount: number;
  price: number;
  seller: string;
  buyer: string | null;
  status: string;
}

test('offer, list, buy: the right is held by the escrow while open, then scrip goes to the seller and the right to the buyer', async () => {
  const [a0, b0] = [await quotas('alice'), await quotas('bob')];
  const seq = Number((await f.pool.query('SELECT COALESCE(max(seq), 0) AS n FROM events')).rows[0].n);
  const offer = await f.ok<OfferView>('alice', 'genesis_escrow', 'offer_right', { resource: 'llm_token_rate', amount: 40, price: 25 });
  expect(offer).toMatchObject({ resource: 'llm_token_rate', amount: 40, price: 25, seller: 'alice', buyer: null, status: 'open' });
  expect((await quotas('alice')).llm_token_rate).toBe(a0.llm_token_rate - 40);
  expect((await quotas('genesis_escrow')).llm_token_rate).toBe(40);
  expect(await f.ok('carol', 'genesis_escrow', 'list_active')).toContainEqual(expect.objectContaining({ offer_id: offer.offer_id, resource: 'llm_token_rate' }));
  // While it is open the seller cannot spend it twice.
  await f.fails('INSUFFICIENT_FUNDS', 'alice', 'genesis_rights_registry', 'transfer_quota', { to: 'dave', resource: 'llm_token_rate', amount: a0.llm_token_rate - 39 });
  await f.expectAuditOk();

  const sold = await f.ok('bob', 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id });
  expect(sold).toMatchObject({ offer_id: offer.offer_id, status: 'sold', purchaser: 'bob' });
  expect(await f.scrip('alice')).toBe(1025);
  expect(await f.scrip('bob')).toBe(975);
  expect((await quotas('bob')).llm_token_rate).toBe(b0.llm_token_rate + 40);
  expect((await quotas('genesis_escrow')).llm_token_rate).toBe(0);
  expect(await f.ok('carol', 'genesis_escrow', 'check_right', { offer_id: offer.offer_id })).toMatchObject({ status: 'sold', purchaser: 'bob' });
  await f.fails('NOT_FOUND', 'carol', 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id });
  const events = await eventsSince(f.pool, seq, ['right_offered', 'right_sold']);
  expect(events.map((e) => [e.type, e.data.amount, e.data.price])).toEqual([['right_offered', 40, 25], ['right_sold', 40, 25]]);
  await f.expectAuditOk();
});

test('cancel returns the right; only the seller may cancel; a cancelled offer cannot be bought', async () => {
  const before = (await quotas('carol')).disk_bytes;
  const offer = await f.ok<OfferView>('carol', 'genesis_escrow', 'offer_right', { resource: 'disk_bytes', amount: 1000, price: 3 });
  expect((await quotas('carol')).disk_bytes).toBe(before - 1000);
  await f.fails('FORBIDDEN', 'dave', 'genesis_escrow', 'cancel_right', { offer_id: offer.offer_id });
  await f.fails('FORBIDDEN', 'carol', 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id });
  expect(await f.ok('carol', 'genesis_escrow', 'cancel_right', { offer_id: offer.offer_id })).toMatchObject({ status: 'cancelled' });
  expect((await quotas('carol')).disk_bytes).toBe(before);
  await f.fails('NOT_FOUND', 'dave', 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id });
  await f.fails('NOT_FOUND', 'carol', 'genesis_escrow', 'cancel_right', { offer_id: offer.offer_id });
  await f.fails('NOT_FOUND', 'dave', 'genesis_escrow', 'buy_right', { offer_id: 999_999 });
  await f.expectAuditOk();
});

test('an offer reserved for one buyer: others are refused, that buyer buys', async () => {
  const offer = await f.ok<OfferView>('dave', 'genesis_escrow', 'offer_right', { resource: 'compute_capacity', amount: 100, price: 7, buyer: 'carol' });
  const bob = await f.scrip('bob');
  await f.fails('FORBIDDEN', 'bob', 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id });
  expect(await f.scrip('bob')).toBe(bob);
  await f.ok('carol', 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id });
  await f.fails('INVALID_ARGUMENT', 'dave', 'genesis_escrow', 'offer_right', { resource: 'compute_capacity', amount: 1, price: 1, buyer: 'dave' });
  await f.expectAuditOk();
});

test('cannot offer more than held, nor disk in use; nothing changes', async () => {
  const held = (await quotas('bob')).llm_dollars;
  const snap = await f.snapshot();
  await f.fails('INSUFFICIENT_FUNDS', 'bob', 'genesis_escrow', 'offer_right', { resource: 'llm_dollars', amount: held + 1, price: 1 });
  await f.fails('INSUFFICIENT_FUNDS', 'bob', 'genesis_escrow', 'offer_right', { resource: 'compute', amount: 1_000_000, price: 1 });
  expect((await f.snapshot()).quotas).toEqual(snap.quotas);

  await f.ok('bob', 'genesis_store', 'create', { id: 'bobs_notes', type: 'data', content: { text: 'x'.repeat(2000) } });
  const disk = (await quotas('bob')).disk_bytes;
  await f.fails('QUOTA_EXCEEDED', 'bob', 'genesis_escrow', 'offer_right', { resource: 'disk_bytes', amount: disk, price: 1 });
  expect((await quotas('bob')).disk_bytes).toBe(disk);
  // The unused part can be offered.
  await f.ok('bob', 'genesis_escrow', 'offer_right', { resource: 'disk_bytes', amount: disk - 10_000, price: 1 });
  await f.expectAuditOk();
});

test('compute balance: offered out of the seller\'s bucket, bought into the buyer\'s, or returned on cancel', async () => {
  const [a0, c0] = [(await f.bucket('alice')).available, (await f.bucket('carol')).available];
  const offer = await f.ok<OfferView>('alice', 'genesis_escrow', 'offer_right', { resource: 'compute', amount: 1000, price: 11 });
  // Each call also costs its configured compute (1).
  expect((await f.bucket('alice')).available).toBe(a0 - 1000 - 1);
  await f.ok('carol', 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id });
  expect((await f.bucket('carol')).available).toBe(c0 + 1000 - 1);

  const again = await f.ok<OfferView>('alice', 'genesis_escrow', 'offer_right', { resource: 'compute', amount: 500, price: 11 });
  await f.ok('alice', 'genesis_escrow', 'cancel_right', { offer_id: again.offer_id });
  expect((await f.bucket('alice')).available).toBe(a0 - 1000 - 3);
  await f.expectAuditOk();
});

test('a repeated key replays the offer: the right moves once', async () => {
  const before = (await quotas('dave')).llm_token_capacity;
  const key = f.key();
  const first = await f.ok<OfferView>('dave', 'genesis_escrow', 'offer_right', { resource: 'llm_token_capacity', amount: 50, price: 2 }, key);
  const again = await f.call('dave', 'genesis_escrow', 'offer_right', { resource: 'llm_token_capacity', amount: 50, price: 2 }, key);
  expect(again).toMatchObject({ ok: true, replayed: true, result: { offer_id: first.offer_id } });
  expect((await quotas('dave')).llm_token_capacity).toBe(before - 50);
  await f.expectAuditOk();
});

test('200 buyers race for one offer: exactly one wins, the others lose no scrip, the audit passes', async () => {
  const buyers = Array.from({ length: 200 }, (_, i) => `racer${i}`);
  for (const b of buyers) await f.principal(b, { scrip: 100, compute: 1000, quotas: RATE0 });
  const offer = await f.ok<OfferView>('alice', 'genesis_escrow', 'offer_right', { resource: 'llm_token_rate', amount: 10, price: 60 });
  const outcomes = await Promise.all(buyers.map((b) => f.call(b, 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id })));
  const winners = buyers.filter((_, i) => outcomes[i].ok);
  expect(winners).toHaveLength(1);
  expect(new Set(outcomes.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.error.code)))).toEqual(new Set(['NOT_FOUND']));
  for (const b of buyers) expect(await f.scrip(b)).toBe(b === winners[0] ? 40 : 100);
  expect((await quotas(winners[0])).llm_token_rate).toBe(110);
  expect((await quotas('genesis_escrow')).llm_token_rate).toBe(0);
  await f.expectAuditOk();
}, 120_000);

test('the audit notices an open offer the escrow does not hold', async () => {
  const r = await f.pool.query<{ id: string }>(`INSERT INTO right_offers (seller_id, resource, amount, price, status) VALUES ('bob', 'llm_dollars', 5, 1, 'open') RETURNING id`);
  const report = await f.audit();
  expect(report.checks.find((c) => c.name === 'holdings_match_open_positions')).toMatchObject({ ok: false, detail: expect.stringContaining('right llm_dollars') });
  await f.pool.query(`UPDATE right_offers SET status = 'cancelled' WHERE id = $1`, [r.rows[0].id]);
  await f.expectAuditOk();
});

test('the seller cancelling while buyers race: exactly one of them succeeds, the right is neither lost nor doubled', async () => {
  const buyers = Array.from({ length: 20 }, (_, i) => `racer${i}`);
  const before = await f.pool.query<{ total: string }>(`SELECT sum(amount)::text AS total FROM quotas WHERE resource = 'disk_bytes'`);
  const escrowHeld = (await quotas('genesis_escrow')).disk_bytes;
  const offer = await f.ok<OfferView>('dave', 'genesis_escrow', 'offer_right', { resource: 'disk_bytes', amount: 500, price: 1 });
  const outcomes = await Promise.all([
    f.call('dave', 'genesis_escrow', 'cancel_right', { offer_id: offer.offer_id }),
    ...buyers.map((b) => f.call(b, 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id })),
  ]);
  expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
  expect(await f.ok('dave', 'genesis_escrow', 'check_right', { offer_id: offer.offer_id })).toMatchObject({ status: outcomes[0].ok ? 'cancelled' : 'sold' });
  const after = await f.pool.query<{ total: string }>(`SELECT sum(amount)::text AS total FROM quotas WHERE resource = 'disk_bytes'`);
  expect(after.rows[0].total).toBe(before.rows[0].total);
  expect((await quotas('genesis_escrow')).disk_bytes).toBe(escrowHeld);
  await f.expectAuditOk();
}, 60_000);
