/**
 * Metrics windows fed by the real thing, not hand-made rows: oracle resolutions run through the
 * resolution's money steps (bids, auction, settlement with UBI, the `oracle_resolved` event) before,
 * inside and after one window, and scrip debt contracts offered, accepted and repaid through
 * dispatch. The window records the UBI each resolution paid and what debtors still owe.
 */
import { metricsPoints } from '../../src/dashboard/queries';
import { aggregateWindow } from '../../src/metrics/aggregate';
import { finishResolution, openResolution, settleResolution } from '../../src/oracle/resolution';
import { inDays } from '../support/harness';
import { setupOracleWorld, type OracleWorld } from '../oracle/world';

let w: OracleWorld;
let seconds = 0;

/** A boundary on the database clock that a JS Date holds exactly (see aggregate.test.ts). */
async function clock(): Promise<Date> {
  const r = await w.pool.query<{ t: Date }>(
    `SELECT t, pg_sleep(EXTRACT(EPOCH FROM t - clock_timestamp()) + 0.0005) FROM (SELECT date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' AS t) b`,
  );
  return r.rows[0]!.t;
}

/** alice and bob bid; one slot: alice wins and pays bob's bid, which the three agents share as UBI. */
async function resolution(alice: number, bob: number): Promise<string> {
  await w.ok('alice', 'genesis_oracle', 'bid', { artifact_id: 'alice_tool', amount: alice });
  await w.ok('bob', 'genesis_oracle', 'bid', { artifact_id: 'bob_tool', amount: bob });
  // A distinct scheduled second each time, after the bids (the cutoff).
  const opened = await openResolution(w.pool, w.config, new Date(Date.now() + 10_000 * ++seconds).toISOString());
  await settleResolution(w.pool, w.config, opened.resolution_id, [{ slot: 1, outcome: { ok: true, score: 50, reason: 'adds' } }]);
  await finishResolution(w.pool, w.config, opened.resolution_id, null);
  return opened.resolution_id;
}

async function borrow(debtor: string, creditor: string, amount: number, repay: number): Promise<string> {
  const offer = await w.ok<{ debt_id: string }>(debtor, 'genesis_debt', 'offer', { creditor, amount, due: inDays(1) });
  await w.ok(creditor, 'genesis_debt', 'accept', { debt_id: offer.debt_id });
  if (repay > 0) await w.ok(debtor, 'genesis_debt', 'repay', { debt_id: offer.debt_id, amount: repay });
  return offer.debt_id;
}

let t0: Date;
let t1: Date;
let inside: string;

beforeAll(async () => {
  w = await setupOracleWorld({ oracle: { slots: 1, minBid: 1, mintRatio: 10 } });
  for (const a of ['alice', 'bob', 'carol']) await w.agent(a, 1000);
  await w.tool('alice', 'alice_tool');
  await w.tool('bob', 'bob_tool');

  await resolution(60, 30);
  t0 = await clock();
  inside = await resolution(90, 45);
  // bob owes carol 100 and repays 40; alice's loan from bob is repaid in full; an offer nobody
  // accepted is no debt.
  await borrow('bob', 'carol', 100, 40);
  await borrow('alice', 'bob', 10, 10);
  await w.ok('carol', 'genesis_debt', 'offer', { creditor: 'alice', amount: 5, due: inDays(1) });
  t1 = await clock();
  await resolution(20, 10);
});

afterAll(() => w?.close());

test("a window records the UBI its resolutions paid, from the real `oracle_resolved` event", async () => {
  const win = await aggregateWindow(w.pool, { start: t0, end: t1 });
  expect(win.oracle_resolutions).toBe(1);
  // alice won and paid bob's 45: 15 to each of the three agents.
  expect(win.data.oracle).toEqual([
    {
      resolution_id: inside,
      bid_count: 2,
      minted_total: 5,
      ubi_total: 45,
      winners: [{ bidder: 'alice', artifact_id: 'alice_tool', price: 45, score: 50, minted: 5, outcome: 'minted' }],
    },
  ]);
  const recorded = await w.ok<Array<{ resolution_id: string; ubi: { total: number; per_agent: number } }>>('carol', 'genesis_oracle', 'history', {});
  expect(recorded.find((r) => r.resolution_id === inside)?.ubi).toMatchObject({ total: 45, per_agent: 15 });
  await w.expectAuditOk();
});

test('debt levels include what debtors owe on active scrip debt contracts', async () => {
  const win = await aggregateWindow(w.pool, { start: t0, end: t1 });
  expect(win.data.debt.scrip).toEqual({ bob: 60 });
  expect(win.data.debt.compute).toEqual({});
  // Owing scrip on a contract is not being "in debt" (a bucket below zero, src/buckets/debt.ts).
  expect(win.principals_in_debt).toBe(0);
  // The dashboard's debt chart reads the total.
  expect((await metricsPoints(w.pool, 10)).find((p) => p.window_start.getTime() === t0.getTime())).toMatchObject({ scrip_debt: 60, compute_debt: 0 });
});
