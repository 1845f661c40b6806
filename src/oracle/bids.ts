import type { PoolClient } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { getArtifact } from '../artifacts/queries';
import { EcologyError, forbidden, invalid, notFound } from '../errors';
import { emit } from '../events/emit';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { transfer } from '../ledger/transfer';
import * as q from './queries';

/**
 * Sealed bids. A bid's amount moves from the bidder to hold_oracle at once and stays there until
 * the bid is cancelled or resolved, so a bidder can never bid scrip it does not have. Bids are
 * sealed: their events, and the transfers into and out of hold_oracle (src/ledger/sealed.ts), are
 * private to the bidder until the resolution publishes its results.
 */

export interface BidContext {
  client: PoolClient;
  caller: string;
  /** The operation's idempotency key; the transfers of the operation derive their ids from it. */
  key: string;
  config: EcologyConfig;
}

export interface BidView {
  bid_id: number;
  artifact_id: string;
  amount: number;
  status: q.BidStatus;
  placed_at: Date;
  resolution_id: string | null;
  price: number | null;
}

export function bidView(b: q.BidRow): BidView {
  return { bid_id: b.id, artifact_id: b.artifact_id, amount: b.amount, status: b.status, placed_at: b.placed_at, resolution_id: b.resolution_id, price: b.price };
}

/** Refuses artifacts the configuration does not let the caller bid on. */
async function checkEligible(ctx: BidContext, artifactId: string): Promise<void> {
  const a = await getArtifact(ctx.client, artifactId);
  if (!a) throw notFound(`artifact ${artifactId} does not exist`);
  if (a.genesis) throw invalid(`${artifactId} is a genesis artifact; the oracle scores what agents make`);
  if (ctx.config.oracle.eligibility === 'executable' && !a.can_execute) {
    throw invalid(`${artifactId} is not executable; the oracle only takes bids on executable artifacts`);
  }
  if (!ctx.config.oracle.bidOnOthers && a.owner_id !== ctx.caller) {
    throw forbidden(`only the owner of ${artifactId} may bid for it`);
  }
}

const hold = (ctx: BidContext, id: string, amount: number, artifactId: string) =>
  transfer(ctx.client, { id, from: ctx.caller, to: SYSTEM_ACCOUNTS.oracleHold, asset: SCRIP, amount, kind: 'oracle_bid', reference: artifactId });
const release = (ctx: BidContext, id: string, amount: number, artifactId: string) =>
  transfer(ctx.client, { id, from: SYSTEM_ACCOUNTS.oracleHold, to: ctx.caller, asset: SCRIP, amount, kind: 'oracle_bid_release', reference: artifactId });

/**
 * Places a bid, or changes the caller's open bid on the artifact: the hold moves by the difference
 * (transfer ids `<key>` for a new bid, `<key>:raise` / `<key>:lower` for a change).
 */
export async function placeBid(ctx: BidContext, artifactId: string, amount: number): Promise<BidView & { previous_amount: number | null }> {
  if (amount < ctx.config.oracle.minBid) throw invalid(`the minimum bid is ${ctx.config.oracle.minBid}`, { min_bid: ctx.config.oracle.minBid });
  await checkEligible(ctx, artifactId);

  let open: q.BidRow | undefined;
  // Two rounds: the open bid found by the insert may be closed by a resolution before we lock it.
  for (let round = 0; round < 2 && !open; round++) {
    const created = await q.insertOpenBid(ctx.client, { bidder: ctx.caller, artifact: artifactId, amount });
    if (created) {
      await hold(ctx, ctx.key, amount, artifactId);
      await emit(ctx.client, { type: 'oracle_bid_placed', actor: ctx.caller, subject: artifactId, data: { bid_id: created.id }, audience: ctx.caller });
      return { ...bidView(created), previous_amount: null };
    }
    open = await q.lockOpenBid(ctx.client, ctx.caller, artifactId);
  }
  if (!open) throw new EcologyError('CONFLICT', `your bid on ${artifactId} was just taken by a resolution; bid again`);
  if (open.amount === amount) return { ...bidView(open), previous_amount: amount };
  if (amount > open.amount) await hold(ctx, `${ctx.key}:raise`, amount - open.amount, artifactId);
  else await release(ctx, `${ctx.key}:lower`, open.amount - amount, artifactId);
  const updated = await q.setBidAmount(ctx.client, open.id, amount);
  await emit(ctx.client, { type: 'oracle_bid_placed', actor: ctx.caller, subject: artifactId, data: { bid_id: updated.id, updated: true }, audience: ctx.caller });
  return { ...bidView(updated), previous_amount: open.amount };
}

/** Withdraws the caller's open bid on the artifact; the whole hold returns (transfer id `<key>`). */
export async function cancelBid(ctx: BidContext, artifactId: string): Promise<BidView & { refunded: number }> {
  const open = await q.lockOpenBid(ctx.client, ctx.caller, artifactId);
  if (!open) throw notFound(`you have no open bid on ${artifactId}`);
  await release(ctx, ctx.key, open.held, artifactId);
  const cancelled = await q.cancelBid(ctx.client, open.id);
  await emit(ctx.client, { type: 'oracle_bid_cancelled', actor: ctx.caller, subject: artifactId, data: { bid_id: open.id }, audience: ctx.caller });
  return { ...bidView(cancelled), refunded: open.held };
}

/** The caller's own bid on the artifact (open, else the latest), with its outcome once resolved. */
export async function checkBid(ctx: BidContext, artifactId: string): Promise<BidView> {
  const b = await q.latestBid(ctx.client, ctx.caller, artifactId);
  if (!b) throw notFound(`you have no bid on ${artifactId}`);
  return bidView(b);
}

/**
 * What each bidder has in hold_oracle now (open bids, and won slots until they settle). Views of
 * another principal's scrip add it back, so that its balance does not show a sealed bid.
 */
export async function sealedHolds(client: Pick<PoolClient, 'query'>, bidders: string[] | null): Promise<Map<string, number>> {
  const r = await client.query<{ bidder_id: string; held: number }>(
    `SELECT bidder_id, sum(held)::bigint AS held FROM oracle_bids WHERE held > 0 AND ($1::text[] IS NULL OR bidder_id = ANY($1)) GROUP BY bidder_id`,
    [bidders],
  );
  return new Map(r.rows.map((x) => [x.bidder_id, Number(x.held)]));
}
