import { seededRandom } from './prng';

/**
 * The oracle's auction rule (SPEC section 9), pure: no I/O, the same output for the same input.
 *
 * Bids are ranked by amount, highest first; equal amounts are ordered by a random draw from the
 * recorded seed. The top `slots` bids win. Every winner pays the highest losing bid (the second
 * price when there is one slot), and never less than the minimum bid nor more than its own bid;
 * with no losing bid (a single bidder, or fewer bids than slots) winners pay the minimum bid.
 * A bidder's bids on different artifacts are separate entries: one bidder may win several slots.
 */

export interface AuctionBid {
  id: number;
  bidder: string;
  artifact: string;
  amount: number;
}

export interface RankedBid extends AuctionBid {
  /** 1-based position in the ranking. */
  rank: number;
  won: boolean;
  /** What a winner pays; 0 for a loser. */
  price: number;
}

export interface AuctionResult {
  /** Every bid, in rank order. */
  ranking: RankedBid[];
  winners: RankedBid[];
  /** The highest losing bid, or null when every bid won. */
  clearingBid: number | null;
}

export interface AuctionInput {
  bids: AuctionBid[];
  slots: number;
  minBid: number;
  /** Seed of the tie-break; recorded with the resolution. */
  seed: string;
}

export function runAuction({ bids, slots, minBid, seed }: AuctionInput): AuctionResult {
  if (!Number.isSafeInteger(slots) || slots < 1) throw new Error('slots must be a positive whole number');
  // Draw the tie-break numbers in a canonical order (by bid id), so the result does not depend on
  // the order the bids arrive in.
  const random = seededRandom(seed);
  const draws = new Map<number, number>();
  for (const b of [...bids].sort((x, y) => x.id - y.id)) draws.set(b.id, random());
  const ordered = [...bids].sort((x, y) => y.amount - x.amount || draws.get(x.id)! - draws.get(y.id)! || x.id - y.id);

  const clearingBid = ordered.length > slots ? ordered[slots].amount : null;
  const ranking = ordered.map((b, i): RankedBid => {
    const won = i < slots;
    const price = won ? Math.min(b.amount, Math.max(minBid, clearingBid ?? minBid)) : 0;
    return { ...b, rank: i + 1, won, price };
  });
  return { ranking, winners: ranking.filter((r) => r.won), clearingBid };
}

/** How the prices paid for one slot are shared: equally among the agents, the rest to the treasury. */
export function shareEqually(total: number, recipients: number): { perRecipient: number; remainder: number } {
  if (recipients <= 0) return { perRecipient: 0, remainder: total };
  const perRecipient = Math.floor(total / recipients);
  return { perRecipient, remainder: total - perRecipient * recipients };
}

/** Scrip minted for a score: floor(score / mint_ratio). */
export function mintFor(score: number, mintRatio: number): number {
  return Math.floor(score / mintRatio);
}
