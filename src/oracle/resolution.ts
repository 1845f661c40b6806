import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { withTransaction } from '../db/tx';
import { EcologyError, invalid, notFound } from '../errors';
import { emit } from '../events/emit';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { bulkTransfer, type BulkLeg } from '../ledger/bulk';
import { mintFor, runAuction, shareEqually } from './auction';
import * as q from './queries';

/**
 * The money steps of a resolution (SPEC section 9), each one database transaction that the
 * resolution workflow runs as an activity. Every step is idempotent: it is keyed by the resolution
 * id (the scheduled time) and writes transfers with deterministic ids, so a retried or repeated
 * step finds its work done and returns the same answer.
 */

const HOLD = SYSTEM_ACCOUNTS.oracleHold;

/** The resolution id: the scheduled time, rounded to the second, as ISO-8601 UTC. */
export function resolutionIdFor(scheduledTime: Date | string): string {
  const t = typeof scheduledTime === 'string' ? new Date(scheduledTime) : scheduledTime;
  if (Number.isNaN(t.getTime())) throw invalid(`not a time: ${String(scheduledTime)}`);
  return new Date(Math.round(t.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const transferIds = {
  refund: (rid: string, bidId: number) => `oracle:${rid}:refund:${bidId}`,
  excess: (rid: string, bidId: number) => `oracle:${rid}:excess:${bidId}`,
  mint: (rid: string, bidId: number) => `oracle:${rid}:mint:${bidId}`,
  ubi: (rid: string, agent: string) => `oracle:${rid}:ubi:${agent}`,
  ubiRemainder: (rid: string) => `oracle:${rid}:ubi-remainder`,
  priceRefund: (rid: string, bidId: number) => `oracle:${rid}:price-refund:${bidId}`,
};

export interface OpenedResolution {
  resolution_id: string;
  status: 'scoring' | 'resolved';
  bid_count: number;
  /** The won slots still to score and settle (none once settled: a repeat does not score again). */
  slots: number[];
  /** Earlier resolutions left unfinished (their workflow was terminated): to be finished too. */
  unfinished: string[];
}

async function opened(client: PoolClient, r: q.ResolutionRow): Promise<OpenedResolution> {
  const pending = (await q.slotsOf(client, r.id)).filter((s) => s.state === 'pending');
  return { resolution_id: r.id, status: r.status, bid_count: r.bid_count, slots: pending.map((s) => s.slot), unfinished: await q.unfinishedResolutions(client, r.id) };
}

/**
 * Opens the resolution of `scheduledTime` in one transaction: takes the open bids placed at or
 * before the cutoff (the scheduled time), ranks them, records winners and prices, returns every
 * loser's hold and each winner's hold above its price (set-based), and creates one pending slot
 * per winner. A repeat returns the recorded resolution.
 */
export async function openResolution(pool: Pool, config: EcologyConfig, scheduledTime: string): Promise<OpenedResolution> {
  const id = resolutionIdFor(scheduledTime);
  const scheduledAt = new Date(id);
  const o = config.oracle;
  return withTransaction(pool, async (client) => {
    // The row first: a concurrent opener of the same id waits here, then finds it.
    const created = await q.insertResolution(client, {
      id, scheduledAt, cutoff: scheduledAt, slots: o.slots, minBid: o.minBid, mintRatio: o.mintRatio, seed: randomBytes(16).toString('hex'), bidCount: 0,
    });
    if (!created) return opened(client, (await q.getResolution(client, id))!);

    const candidates = await q.lockBidsAtCutoff(client, scheduledAt, { executableOnly: o.eligibility === 'executable', ownerOnly: !o.bidOnOthers });
    const eligible = candidates.filter((c) => c.eligible);
    const auction = runAuction({
      bids: eligible.map((c) => ({ id: c.id, bidder: c.bidder_id, artifact: c.artifact_id, amount: c.amount })),
      slots: o.slots,
      minBid: o.minBid,
      seed: created.seed,
    });
    await client.query('UPDATE oracle_resolutions SET bid_count = $2 WHERE id = $1', [id, candidates.length]);

    const closing: Parameters<typeof q.closeBids>[2] = [];
    const legs: BulkLeg[] = [];
    for (const r of auction.ranking) {
      closing.push({ id: r.id, status: r.won ? 'won' : 'lost', rank: r.rank, price: r.won ? r.price : null, held: r.won ? r.price : 0 });
      if (!r.won) legs.push({ id: transferIds.refund(id, r.id), from: HOLD, to: r.bidder, amount: r.amount, kind: 'oracle_refund', reference: id });
      else if (r.amount > r.price) legs.push({ id: transferIds.excess(id, r.id), from: HOLD, to: r.bidder, amount: r.amount - r.price, kind: 'oracle_refund', reference: id });
    }
    for (const c of candidates.filter((x) => !x.eligible)) {
      closing.push({ id: c.id, status: 'lost', rank: null, price: null, held: 0 });
      legs.push({ id: transferIds.refund(id, c.id), from: HOLD, to: c.bidder_id, amount: c.amount, kind: 'oracle_refund', reference: id });
    }
    await q.closeBids(client, id, closing);
    await bulkTransfer(client, SCRIP, legs);
    await q.insertSlots(client, id, auction.winners.map((w) => ({ slot: w.rank, bidId: w.id, bidder: w.bidder, artifact: w.artifact, price: w.price })));
    return { resolution_id: id, status: 'scoring', bid_count: candidates.length, slots: auction.winners.map((w) => w.rank), unfinished: await q.unfinishedResolutions(client, id) };
  }, config.transactions.maxRetries);
}

/** What the scorer said about a slot, or why it could not say. */
export type ScoreOutcome = { ok: true; score: number; reason: string } | { ok: false; error: string };

export interface SlotView {
  slot: number;
  bidder: string;
  artifact_id: string;
  price: number;
  outcome: q.SlotState;
  score: number | null;
  reason: string | null;
  error: string | null;
  minted: number;
}

export function slotView(s: q.SlotRow): SlotView {
  return { slot: s.slot, bidder: s.bidder_id, artifact_id: s.artifact_id, price: s.price, outcome: s.state, score: s.score, reason: s.reason, error: s.error, minted: s.minted };
}

export interface UbiView {
  /** The prices of the scored slots, shared out. */
  total: number;
  agents: number;
  per_agent: number;
  /** What did not divide equally: to the treasury. */
  remainder: number;
}

export interface SettledResolution {
  resolution_id: string;
  slots: SlotView[];
  ubi: UbiView;
}

const ubiView = (r: q.ResolutionRow): UbiView => ({ total: r.ubi_total, agents: r.ubi_agents, per_agent: r.ubi_per_agent, remainder: r.ubi_remainder });

/**
 * Settles every won slot of a resolution in one transaction, exactly once. A scored slot mints
 * floor(score / mint_ratio) to its winner; a slot whose scoring failed refunds its price to the
 * winner. The prices of the scored slots are shared equally among all agents (one transfer per
 * agent), the remainder to the treasury. Each slot's state leaves `pending` in the same
 * transaction as its transfers, so whichever settlement commits first is the only one ever
 * applied: a repeat, even with other outcomes, returns the recorded result.
 */
export async function settleResolution(
  pool: Pool,
  config: EcologyConfig,
  resolutionId: string,
  outcomes: Array<{ slot: number; outcome: ScoreOutcome }>,
): Promise<SettledResolution> {
  return withTransaction(pool, async (client) => {
    const rid = resolutionId;
    // The resolution row first: concurrent settlers of one resolution queue here.
    const resolution = await q.getResolution(client, rid, true);
    if (!resolution) throw notFound(`no resolution ${rid}`);
    const slots = await q.slotsOf(client, rid, true);
    const pending = slots.filter((s) => s.state === 'pending');
    if (pending.length === 0) return { resolution_id: rid, slots: slots.map(slotView), ubi: ubiView(resolution) };

    const byslot = new Map(outcomes.map((o) => [o.slot, o.outcome]));
    const missing = pending.filter((s) => !byslot.has(s.slot)).map((s) => s.slot);
    if (missing.length > 0) throw invalid(`settling ${rid} needs an outcome for every pending slot; missing ${missing.join(', ')}`);

    const legs: BulkLeg[] = [];
    let ubiTotal = 0;
    for (const slot of pending) {
      const outcome = byslot.get(slot.slot)!;
      if (!outcome.ok) {
        if (slot.price > 0) legs.push({ id: transferIds.priceRefund(rid, slot.bid_id), from: HOLD, to: slot.bidder_id, amount: slot.price, kind: 'oracle_refund', reference: rid });
        await q.setBidHeld(client, slot.bid_id, 0, 'refunded');
        await q.settleSlotRow(client, { resolutionId: rid, slot: slot.slot, state: 'refunded', score: null, reason: null, error: outcome.error.slice(0, 1000), minted: 0 });
        continue;
      }
      if (!Number.isInteger(outcome.score) || outcome.score < 0 || outcome.score > 100) throw invalid(`score must be a whole number 0-100, got ${outcome.score}`);
      const minted = mintFor(outcome.score, resolution.mint_ratio);
      if (minted > 0) legs.push({ id: transferIds.mint(rid, slot.bid_id), from: SYSTEM_ACCOUNTS.mint, to: slot.bidder_id, amount: minted, kind: 'oracle_mint', reference: rid });
      ubiTotal += slot.price;
      await q.setBidHeld(client, slot.bid_id, 0);
      await q.settleSlotRow(client, { resolutionId: rid, slot: slot.slot, state: 'minted', score: outcome.score, reason: outcome.reason, error: null, minted });
    }

    const agents = await q.agentIds(client);
    const share = shareEqually(ubiTotal, agents.length);
    if (share.perRecipient > 0) {
      for (const a of agents) legs.push({ id: transferIds.ubi(rid, a), from: HOLD, to: a, amount: share.perRecipient, kind: 'oracle_ubi', reference: rid });
    }
    if (share.remainder > 0) legs.push({ id: transferIds.ubiRemainder(rid), from: HOLD, to: SYSTEM_ACCOUNTS.treasury, amount: share.remainder, kind: 'oracle_ubi', reference: rid });
    // All of it in one batch: its accounts are locked in one ordered pass, so agents' concurrent
    // transfers cannot deadlock with it.
    await bulkTransfer(client, SCRIP, legs);
    const ubi = { total: ubiTotal, agents: share.perRecipient > 0 ? agents.length : 0, perAgent: share.perRecipient, remainder: share.remainder };
    await q.recordUbi(client, rid, ubi);
    return {
      resolution_id: rid,
      slots: (await q.slotsOf(client, rid)).map(slotView),
      ubi: { total: ubi.total, agents: ubi.agents, per_agent: ubi.perAgent, remainder: ubi.remainder },
    };
  }, config.transactions.maxRetries);
}

export interface ResolutionResults {
  resolution_id: string;
  scheduled_at: string;
  bid_count: number;
  slots: number;
  /** The won slots' public outcomes (winners, prices, scores, minted amounts). */
  winners: SlotView[];
  minted_total: number;
  /** How the prices paid were shared among the agents. */
  ubi: UbiView;
  tie_break_seed: string;
}

/**
 * Ends a resolution once every slot is settled: records its public results, emits
 * `oracle_resolved` (once, with the transition to resolved) and stores the next resolution time.
 */
export async function finishResolution(pool: Pool, config: EcologyConfig, resolutionId: string, nextResolutionAt: Date | null): Promise<ResolutionResults> {
  return withTransaction(pool, async (client) => {
    const r = await q.getResolution(client, resolutionId, true);
    if (!r) throw notFound(`no resolution ${resolutionId}`);
    if (nextResolutionAt) await q.writeNextResolution(client, nextResolutionAt);
    if (r.status === 'resolved') return r.results as ResolutionResults;
    const slots = await q.slotsOf(client, resolutionId);
    const pending = slots.filter((s) => s.state === 'pending');
    if (pending.length > 0) throw new EcologyError('CONFLICT', `resolution ${resolutionId} still has ${pending.length} unsettled slot(s)`);
    const winners = slots.map(slotView);
    const results: ResolutionResults = {
      resolution_id: r.id,
      scheduled_at: r.scheduled_at.toISOString(),
      bid_count: r.bid_count,
      slots: r.slots,
      winners,
      minted_total: winners.reduce((n, w) => n + w.minted, 0),
      ubi: ubiView(r),
      tie_break_seed: r.seed,
    };
    await q.markResolved(client, resolutionId, results);
    await emit(client, { type: 'oracle_resolved', actor: 'genesis_oracle', subject: null, data: { ...results, next_resolution_at: nextResolutionAt?.toISOString() ?? null } });
    return results;
  }, config.transactions.maxRetries);
}
