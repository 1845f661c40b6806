import { setupOracleWorld, type OracleWorld } from './world';

let w: OracleWorld;

beforeAll(async () => {
  w = await setupOracleWorld({ oracle: { minBid: 2 } });
  await w.agent('alice', 100);
  await w.agent('bob', 100);
  await w.tool('alice', 'alice_tool');
  await w.tool('alice', 'alice_doc', { executable: false });
  await w.tool('bob', 'bob_tool');
});
afterAll(() => w.close());

describe('genesis_oracle.bid', () => {
  it('holds the amount at once, and bidding again moves the hold by the difference', async () => {
    const placed = await w.ok('alice', 'genesis_oracle', 'bid', { artifact_id: 'alice_tool', amount: 10 }, 'bid-1');
    expect(placed).toMatchObject({ artifact_id: 'alice_tool', amount: 10, status: 'open', previous_amount: null });
    expect(await w.scrip('alice')).toBe(90);
    expect(await w.hold()).toBe(10);
    expect(await w.journalIds('bid-1%')).toEqual(['bid-1']);

    const raised = await w.ok('alice', 'genesis_oracle', 'bid', { artifact_id: 'alice_tool', amount: 25 }, 'bid-2');
    expect(raised).toMatchObject({ bid_id: placed.bid_id, amount: 25, previous_amount: 10 });
    expect(await w.scrip('alice')).toBe(75);
    expect(await w.hold()).toBe(25);
    expect(await w.journalIds('bid-2%')).toEqual(['bid-2:raise']);

    const lowered = await w.ok('alice', 'genesis_oracle', 'bid', { artifact_id: 'alice_tool', amount: 4 }, 'bid-3');
    expect(lowered).toMatchObject({ bid_id: placed.bid_id, amount: 4, previous_amount: 25 });
    expect(await w.scrip('alice')).toBe(96);
    expect(await w.hold()).toBe(4);
    expect(await w.journalIds('bid-3%')).toEqual(['bid-3:lower']);

    // The same amount again changes nothing.
    await w.ok('alice', 'genesis_oracle', 'bid', { artifact_id: 'alice_tool', amount: 4 }, 'bid-4');
    expect(await w.journalIds('bid-4%')).toEqual([]);
    expect((await w.bids()).filter((b) => b.status === 'open')).toHaveLength(1);
    await w.expectAuditOk();
  });

  it('a repeated key replays the first outcome and moves nothing', async () => {
    const again = await w.call('alice', 'genesis_oracle', 'bid', { artifact_id: 'alice_tool', amount: 25 }, 'bid-2');
    expect(again).toMatchObject({ ok: true, replayed: true });
    expect(await w.hold()).toBe(4);
    expect(await w.scrip('alice')).toBe(96);
  });

  it('check shows the caller its own bid; status shows the count, never amounts', async () => {
    expect(await w.ok('alice', 'genesis_oracle', 'check', { artifact_id: 'alice_tool' })).toMatchObject({ amount: 4, status: 'open' });
    await w.fails('NOT_FOUND', 'bob', 'genesis_oracle', 'check', { artifact_id: 'alice_tool' });
    const status = await w.ok('bob', 'genesis_oracle', 'status', {});
    expect(status).toMatchObject({ enabled: true, open_bids: 1, slots: 1, min_bid: 2, owner_only: true, schedule: { interval_seconds: 600, cron: null } });
    expect(JSON.stringify(status)).not.toMatch(/amount/);
    expect(new Date(status.next_resolution_at).getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses bad bids and changes nothing', async () => {
    const before = await w.snapshot();
    const bad: Array<[string, string, unknown]> = [
      ['INVALID_ARGUMENT', 'zero', { artifact_id: 'alice_tool', amount: 0 }],
      ['INVALID_ARGUMENT', 'negative', { artifact_id: 'alice_tool', amount: -5 }],
      ['INVALID_ARGUMENT', 'fractional', { artifact_id: 'alice_tool', amount: 2.5 }],
      ['INVALID_ARGUMENT', 'a string', { artifact_id: 'alice_tool', amount: '10' }],
      ['INVALID_ARGUMENT', 'below the minimum bid', { artifact_id: 'alice_tool', amount: 1 }],
      ['INVALID_ARGUMENT', 'unknown field', { artifact_id: 'alice_tool', amount: 5, bidder: 'bob' }],
      ['INSUFFICIENT_FUNDS', 'above the balance', { artifact_id: 'alice_tool', amount: 500 }],
      ['NOT_FOUND', 'unknown artifact', { artifact_id: 'no_such_tool', amount: 5 }],
      ['INVALID_ARGUMENT', 'bad artifact id', { artifact_id: 'bad id!', amount: 5 }],
      ['INVALID_ARGUMENT', 'a non-executable artifact', { artifact_id: 'alice_doc', amount: 5 }],
      ['INVALID_ARGUMENT', 'a genesis artifact', { artifact_id: 'genesis_ledger', amount: 5 }],
      ['FORBIDDEN', "someone else's artifact", { artifact_id: 'bob_tool', amount: 5 }],
    ];
    for (const [code, why, args] of bad) {
      const out = await w.call('alice', 'genesis_oracle', 'bid', args);
      expect([why, out.ok ? 'ok' : out.error.code]).toEqual([why, code]);
    }
    const after = await w.snapshot();
    expect(after.accounts).toEqual(before.accounts);
    expect(after.journal).toBe(before.journal);
    await w.expectAuditOk();
  });

  it('a raise above the balance fails and keeps the old bid', async () => {
    await w.fails('INSUFFICIENT_FUNDS', 'alice', 'genesis_oracle', 'bid', { artifact_id: 'alice_tool', amount: 4 + 97 });
    expect(await w.ok('alice', 'genesis_oracle', 'check', { artifact_id: 'alice_tool' })).toMatchObject({ amount: 4 });
    expect(await w.hold()).toBe(4);
  });

  it('bidOnOthers: true lets anyone bid on any eligible artifact, each bidder with its own bid', async () => {
    const out = await w.callWith({ bidOnOthers: true }, 'bob', 'bid', { artifact_id: 'alice_tool', amount: 7 });
    expect(out).toMatchObject({ ok: true, result: { artifact_id: 'alice_tool', amount: 7, status: 'open' } });
    expect(await w.hold()).toBe(11);
    expect(await w.scrip('bob')).toBe(93);
    // Still not a genesis or (under the default eligibility) non-executable artifact.
    expect(await w.callWith({ bidOnOthers: true }, 'bob', 'bid', { artifact_id: 'alice_doc', amount: 7 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const status = await w.callWith({ bidOnOthers: true }, 'bob', 'status', {});
    expect(status).toMatchObject({ ok: true, result: { open_bids: 2, owner_only: false } });
    await w.expectAuditOk();
  });

  it("eligibility 'any' accepts non-executable artifacts", async () => {
    const out = await w.callWith({ eligibility: 'any' }, 'alice', 'bid', { artifact_id: 'alice_doc', amount: 3 });
    expect(out).toMatchObject({ ok: true, result: { artifact_id: 'alice_doc', amount: 3 } });
    expect(await w.callWith({ eligibility: 'any' }, 'alice', 'bid', { artifact_id: 'genesis_store', amount: 3 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await w.hold()).toBe(14);
  });
});

describe('genesis_oracle.cancel_bid', () => {
  it("cannot cancel another bidder's bid", async () => {
    const before = await w.snapshot();
    // alice has an open bid on alice_doc; bob has none there.
    await w.fails('NOT_FOUND', 'bob', 'genesis_oracle', 'cancel_bid', { artifact_id: 'alice_doc' });
    expect(await w.ok('alice', 'genesis_oracle', 'check', { artifact_id: 'alice_doc' })).toMatchObject({ status: 'open', amount: 3 });
    expect((await w.snapshot()).accounts).toEqual(before.accounts);
  });

  it("cancelling one's own bid returns the hold, once", async () => {
    const aliceBefore = await w.scrip('alice');
    const out = await w.ok('alice', 'genesis_oracle', 'cancel_bid', { artifact_id: 'alice_doc' }, 'cancel-1');
    expect(out).toMatchObject({ status: 'cancelled', refunded: 3 });
    expect(await w.scrip('alice')).toBe(aliceBefore + 3);
    expect(await w.journalIds('cancel-1%')).toEqual(['cancel-1']);
    await w.fails('NOT_FOUND', 'alice', 'genesis_oracle', 'cancel_bid', { artifact_id: 'alice_doc' });
    expect(await w.ok('alice', 'genesis_oracle', 'check', { artifact_id: 'alice_doc' })).toMatchObject({ status: 'cancelled' });
    // bob's bid on alice_tool is untouched by alice's cancels, and alice's cancel leaves bob's.
    await w.ok('alice', 'genesis_oracle', 'cancel_bid', { artifact_id: 'alice_tool' });
    expect(await w.ok('bob', 'genesis_oracle', 'check', { artifact_id: 'alice_tool' })).toMatchObject({ status: 'open', amount: 7 });
    expect(await w.hold()).toBe(7);
    await w.expectAuditOk();
  });

  it('a new bid after a cancel is a new bid', async () => {
    const out = await w.ok('alice', 'genesis_oracle', 'bid', { artifact_id: 'alice_tool', amount: 6 });
    expect(out.previous_amount).toBeNull();
    expect(await w.hold()).toBe(13);
    await w.expectAuditOk();
  });
});

describe('genesis_oracle.history', () => {
  it('is empty before any resolution', async () => {
    expect(await w.ok('bob', 'genesis_oracle', 'history', {})).toEqual([]);
    await w.fails('INVALID_ARGUMENT', 'bob', 'genesis_oracle', 'history', { limit: 0 });
  });
});

describe('the audit', () => {
  it('notices hold_oracle disagreeing with the bids', async () => {
    await w.pool.query(`UPDATE oracle_bids SET held = held - 1, amount = amount - 1 WHERE status = 'open' AND bidder_id = 'bob'`);
    const report = await w.audit();
    expect(report.checks.find((c) => c.name === 'oracle_hold_matches_bids')).toMatchObject({ ok: false });
    await w.pool.query(`UPDATE oracle_bids SET held = held + 1, amount = amount + 1 WHERE status = 'open' AND bidder_id = 'bob'`);
    await w.expectAuditOk();
  });
});
