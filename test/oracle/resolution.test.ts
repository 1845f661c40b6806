/**
 * The resolution's money steps, called directly (the workflow only sequences them; see
 * schedule.test.ts for the same on Temporal): ranking and refunds, settling a slot exactly once
 * whichever outcome comes first, idempotent repeats, the results and the event.
 */
import { finishResolution, openResolution, resolutionIdFor, settleResolution } from '../../src/oracle/resolution';
import { eventsSince } from '../support/harness';
import { setupOracleWorld, type OracleWorld } from './world';

let w: OracleWorld;
const AGENTS = ['ag_a', 'ag_b', 'ag_c', 'ag_d'];

async function journalCount(): Promise<number> {
  return Number((await w.pool.query('SELECT count(*)::int AS n FROM journal')).rows[0].n);
}

beforeAll(async () => {
  w = await setupOracleWorld({ oracle: { slots: 2, minBid: 1, mintRatio: 10 } });
  for (const a of AGENTS) {
    await w.agent(a, 100);
    await w.tool(a, `${a}_tool`);
  }
  // A principal that is not an agent gets no UBI.
  await w.principal('fund', { kind: 'account', scrip: 50 });
});
afterAll(() => w.close());

describe('a resolution with two slots', () => {
  // 100 ms past a whole second: rounds down to it.
  const scheduled = new Date(Math.floor((Date.now() + 60_000) / 1000) * 1000 + 100).toISOString();
  const rid = resolutionIdFor(scheduled);

  it('ranks the bids, refunds the losers and the winners above their price, in one step', async () => {
    const amounts = [30, 20, 10, 5];
    for (const [i, a] of AGENTS.entries()) await w.ok(a, 'genesis_oracle', 'bid', { artifact_id: `${a}_tool`, amount: amounts[i] });
    expect(await w.hold()).toBe(65);

    const opened = await openResolution(w.pool, w.config, scheduled);
    expect(opened).toEqual({ resolution_id: rid, status: 'scoring', bid_count: 4, slots: [1, 2], unfinished: [] });
    // Winners pay the highest losing bid (10); the rest of every hold is back.
    expect(await w.scrip('ag_a')).toBe(90);
    expect(await w.scrip('ag_b')).toBe(90);
    expect(await w.scrip('ag_c')).toBe(100);
    expect(await w.scrip('ag_d')).toBe(100);
    expect(await w.hold()).toBe(20);
    expect((await w.bids()).map((b) => [b.bidder_id, b.status, b.rank, b.price, b.held])).toEqual([
      ['ag_a', 'won', 1, 10, 10],
      ['ag_b', 'won', 2, 10, 10],
      ['ag_c', 'lost', 3, null, 0],
      ['ag_d', 'lost', 4, null, 0],
    ]);
    expect(await w.journalIds(`oracle:${rid}:%`)).toHaveLength(4);
    // Every refund is a transfer event, like any transfer.
    const events = await eventsSince(w.pool, 0, ['transfer']);
    expect(events.filter((e) => String(e.data.transfer_id).startsWith(`oracle:${rid}:`))).toHaveLength(4);
    // Exact in the middle of the resolution too.
    await w.expectAuditOk();
  });

  it('opening again returns the same record and moves nothing', async () => {
    const before = await journalCount();
    expect(await openResolution(w.pool, w.config, scheduled)).toMatchObject({ resolution_id: rid, slots: [1, 2] });
    // The id is the scheduled time rounded to the second.
    expect(await openResolution(w.pool, w.config, new Date(new Date(scheduled).getTime() + 300).toISOString())).toMatchObject({ resolution_id: rid });
    expect(await journalCount()).toBe(before);
  });

  it('settling needs an outcome for every pending slot', async () => {
    await expect(settleResolution(w.pool, w.config, rid, [{ slot: 1, outcome: { ok: true, score: 50, reason: 'x' } }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await w.hold()).toBe(20);
  });

  it('settles once: a scored slot mints, a failed one refunds its price, the prices paid go to the agents', async () => {
    const supply = await w.supply();
    const settled = await settleResolution(w.pool, w.config, rid, [
      { slot: 1, outcome: { ok: true, score: 73, reason: 'useful adder' } },
      { slot: 2, outcome: { ok: false, error: 'UNAVAILABLE: scorer down' } },
    ]);
    expect(settled.slots).toEqual([
      expect.objectContaining({ slot: 1, bidder: 'ag_a', outcome: 'minted', score: 73, minted: 7, price: 10 }),
      expect.objectContaining({ slot: 2, bidder: 'ag_b', outcome: 'refunded', score: null, minted: 0, price: 10, error: 'UNAVAILABLE: scorer down' }),
    ]);
    // Only the scored slot's price is shared: 10 among 4 agents, 2 each, 2 to the treasury.
    expect(settled.ubi).toEqual({ total: 10, agents: 4, per_agent: 2, remainder: 2 });
    expect(await w.supply()).toBe(supply + 7);
    expect(await w.scrip('ag_a')).toBe(90 + 7 + 2);
    expect(await w.scrip('ag_b')).toBe(90 + 10 + 2);
    expect(await w.scrip('ag_c')).toBe(102);
    expect(await w.scrip('fund')).toBe(50);
    expect(await w.scrip('treasury')).toBe(2);
    expect(await w.hold()).toBe(0);
    expect((await w.bids()).filter((b) => b.status !== 'lost').map((b) => [b.bidder_id, b.status, b.held])).toEqual([
      ['ag_a', 'won', 0],
      ['ag_b', 'refunded', 0],
    ]);
    await w.expectAuditOk();
  });

  it('a repeat, even with the opposite outcomes, returns the recorded settlement and moves nothing', async () => {
    // The double-credit of the original system: a success arriving after the refund must not mint,
    // nor a late failure refund a slot that was minted.
    const before = await journalCount();
    const supply = await w.supply();
    const again = await settleResolution(w.pool, w.config, rid, [
      { slot: 1, outcome: { ok: false, error: 'late failure' } },
      { slot: 2, outcome: { ok: true, score: 90, reason: 'late success' } },
    ]);
    expect(again.slots.map((x) => [x.slot, x.outcome, x.minted])).toEqual([
      [1, 'minted', 7],
      [2, 'refunded', 0],
    ]);
    expect(await journalCount()).toBe(before);
    expect(await w.supply()).toBe(supply);
    expect(await w.journalIds(`oracle:${rid}:price-refund:%`)).toHaveLength(1);
    expect(await w.journalIds(`oracle:${rid}:mint:%`)).toHaveLength(1);
    expect(await w.journalIds(`oracle:${rid}:ubi%`)).toHaveLength(5);
    // Opening it again lists no slot left to score.
    expect(await openResolution(w.pool, w.config, scheduled)).toMatchObject({ resolution_id: rid, slots: [] });
    await w.expectAuditOk();
  });

  it('finishing records the public results and emits oracle_resolved once', async () => {
    const mark = Number((await w.pool.query('SELECT COALESCE(max(seq), 0)::int AS n FROM events')).rows[0].n);
    const next = new Date(Date.now() + 600_000);
    const results = await finishResolution(w.pool, w.config, rid, next);
    expect(results).toMatchObject({ resolution_id: rid, bid_count: 4, slots: 2, minted_total: 7, ubi: { total: 10, agents: 4, per_agent: 2, remainder: 2 } });
    expect(results.winners.map((x) => [x.bidder, x.outcome, x.score, x.minted])).toEqual([
      ['ag_a', 'minted', 73, 7],
      ['ag_b', 'refunded', null, 0],
    ]);
    expect(await finishResolution(w.pool, w.config, rid, next)).toEqual(results);
    const events = await eventsSince(w.pool, mark, ['oracle_resolved']);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ resolution_id: rid, minted_total: 7, next_resolution_at: next.toISOString() });
    // Bid amounts stay sealed: the results name prices, not bids.
    expect(JSON.stringify(events[0].data)).not.toMatch(/"amount"/);

    const history = await w.ok('ag_c', 'genesis_oracle', 'history', {});
    expect(history).toEqual([JSON.parse(JSON.stringify(results))]);
    const status = await w.ok('ag_c', 'genesis_oracle', 'status', {});
    expect(status).toMatchObject({ open_bids: 0, next_resolution_at: next.toISOString(), last_resolution: { resolution_id: rid, status: 'resolved' } });
    expect(await w.ok('ag_a', 'genesis_oracle', 'check', { artifact_id: 'ag_a_tool' })).toMatchObject({ status: 'won', price: 10, resolution_id: rid });
    await w.expectAuditOk();
  });
});

describe('which bids a resolution takes', () => {
  let leftOpen = '';
  it('leaves bids placed after the cutoff open, and refunds bids that are no longer eligible', async () => {
    await w.tool('ag_a', 'ag_a_gone');
    await w.ok('ag_a', 'genesis_oracle', 'bid', { artifact_id: 'ag_a_gone', amount: 40 });
    await w.ok('ag_a', 'genesis_store', 'delete', { id: 'ag_a_gone' });
    await w.ok('ag_c', 'genesis_oracle', 'bid', { artifact_id: 'ag_c_tool', amount: 3 });
    const cutoff = new Date(Date.now() + 60_000 * 2);
    // A resolution scheduled before the bids were placed takes none of them.
    const early = await openResolution(w.pool, w.config, new Date(Date.now() - 3_600_000).toISOString());
    expect(early).toMatchObject({ bid_count: 0, slots: [] });
    await finishResolution(w.pool, w.config, early.resolution_id, null);

    const r = await openResolution(w.pool, w.config, cutoff.toISOString());
    expect(r).toMatchObject({ bid_count: 2, slots: [1] });
    // The deleted artifact's bid (the highest) was not ranked: ag_c wins alone at the minimum bid.
    const taken = await w.pool.query('SELECT artifact_id, status, rank, price::int, held::int FROM oracle_bids WHERE resolution_id = $1 ORDER BY id', [r.resolution_id]);
    expect(taken.rows.map((b) => [b.artifact_id, b.status, b.rank, b.price, b.held])).toEqual([
      ['ag_a_gone', 'lost', null, null, 0],
      ['ag_c_tool', 'won', 1, 1, 1],
    ]);
    expect(await w.journalIds(`oracle:${r.resolution_id}:refund:%`)).toHaveLength(1);
    await settleResolution(w.pool, w.config, r.resolution_id, [{ slot: 1, outcome: { ok: true, score: 5, reason: 'meh' } }]);
    await finishResolution(w.pool, w.config, r.resolution_id, null);
    await w.expectAuditOk();
  });

  it('two openers of one resolution at once: one record, each refund once', async () => {
    for (const a of AGENTS) await w.ok(a, 'genesis_oracle', 'bid', { artifact_id: `${a}_tool`, amount: 4 });
    const scheduled = new Date(Date.now() + 60_000 * 3).toISOString();
    const [x, y] = await Promise.all([openResolution(w.pool, w.config, scheduled), openResolution(w.pool, w.config, scheduled)]);
    leftOpen = x.resolution_id;
    expect(x).toEqual(y);
    expect(x.slots).toEqual([1, 2]);
    const ids = await w.journalIds(`oracle:${x.resolution_id}:%`);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    await w.expectAuditOk();
  });

  it('an earlier resolution left unfinished is reported to the next one', async () => {
    const later = await openResolution(w.pool, w.config, new Date(Date.now() + 60_000 * 4).toISOString());
    expect(later.unfinished).toEqual([leftOpen]);
  });
});
