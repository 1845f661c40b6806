import { mintFor, runAuction, shareEqually, type AuctionBid } from '../../src/oracle/auction';
import { seededRandom } from '../../src/oracle/prng';

const bid = (id: number, bidder: string, amount: number, artifact = `${bidder}_tool${id}`): AuctionBid => ({ id, bidder, artifact, amount });
const summary = (r: ReturnType<typeof runAuction>) => r.ranking.map((b) => [b.id, b.rank, b.won, b.price]);

describe('runAuction', () => {
  it('no bids: no winners', () => {
    const r = runAuction({ bids: [], slots: 3, minBid: 5, seed: 's' });
    expect(r.ranking).toEqual([]);
    expect(r.winners).toEqual([]);
    expect(r.clearingBid).toBeNull();
  });

  it('one slot: the highest bid wins and pays the second price', () => {
    const r = runAuction({ bids: [bid(1, 'a', 10), bid(2, 'b', 30), bid(3, 'c', 20)], slots: 1, minBid: 1, seed: 's' });
    expect(summary(r)).toEqual([
      [2, 1, true, 20],
      [3, 2, false, 0],
      [1, 3, false, 0],
    ]);
    expect(r.clearingBid).toBe(20);
  });

  it('several slots: the top K win and each pays the highest losing bid', () => {
    const bids = [bid(1, 'a', 50), bid(2, 'b', 40), bid(3, 'c', 30), bid(4, 'd', 20), bid(5, 'e', 10)];
    const r = runAuction({ bids, slots: 3, minBid: 1, seed: 's' });
    expect(r.winners.map((w) => [w.id, w.price])).toEqual([
      [1, 20],
      [2, 20],
      [3, 20],
    ]);
    expect(r.ranking.filter((x) => !x.won).map((x) => x.id)).toEqual([4, 5]);
  });

  it('a single bidder pays the minimum bid', () => {
    const r = runAuction({ bids: [bid(7, 'a', 80)], slots: 1, minBid: 5, seed: 's' });
    expect(summary(r)).toEqual([[7, 1, true, 5]]);
  });

  it('fewer bids than slots: every bid wins at the minimum bid', () => {
    const r = runAuction({ bids: [bid(1, 'a', 9), bid(2, 'b', 3)], slots: 3, minBid: 2, seed: 's' });
    expect(r.winners.map((w) => [w.id, w.price])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('the price is never above the winner\'s own bid (minimum bid raised after bidding)', () => {
    const r = runAuction({ bids: [bid(1, 'a', 4)], slots: 1, minBid: 10, seed: 's' });
    expect(r.winners[0].price).toBe(4);
  });

  it('ties are broken by the seed: deterministic for one seed, varying across seeds', () => {
    const bids = Array.from({ length: 6 }, (_, i) => bid(i + 1, `p${i}`, 10));
    const first = runAuction({ bids, slots: 1, minBid: 1, seed: 'seed-1' });
    const again = runAuction({ bids: [...bids].reverse(), slots: 1, minBid: 1, seed: 'seed-1' });
    expect(summary(again)).toEqual(summary(first));
    // A tie at the top: the winner pays the tied amount.
    expect(first.winners[0].price).toBe(10);
    const winners = new Set(Array.from({ length: 40 }, (_, i) => runAuction({ bids, slots: 1, minBid: 1, seed: `seed-${i}` }).winners[0].id));
    expect(winners.size).toBeGreaterThan(1);
  });

  it('ties only reorder equal amounts', () => {
    const bids = [bid(1, 'a', 10), bid(2, 'b', 20), bid(3, 'c', 10), bid(4, 'd', 5)];
    for (const seed of ['x', 'y', 'z']) {
      const r = runAuction({ bids, slots: 2, minBid: 1, seed });
      expect(r.ranking[0].id).toBe(2);
      expect([1, 3]).toContain(r.ranking[1].id);
      expect(r.ranking[3].id).toBe(4);
      expect(r.winners.map((w) => w.price)).toEqual([10, 10]);
    }
  });

  it('a bidder with several bids: each bid is its own entry and may win its own slot', () => {
    const bids = [bid(1, 'a', 30, 'a_x'), bid(2, 'a', 25, 'a_y'), bid(3, 'b', 20), bid(4, 'a', 5, 'a_z')];
    const r = runAuction({ bids, slots: 2, minBid: 1, seed: 's' });
    expect(r.winners.map((w) => [w.bidder, w.artifact, w.price])).toEqual([
      ['a', 'a_x', 20],
      ['a', 'a_y', 20],
    ]);
    expect(r.ranking.map((x) => x.id)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a non-positive number of slots', () => {
    expect(() => runAuction({ bids: [], slots: 0, minBid: 1, seed: 's' })).toThrow(/slots/);
  });
});

describe('shares and minting', () => {
  it('shares equally with the remainder apart', () => {
    expect(shareEqually(10, 3)).toEqual({ perRecipient: 3, remainder: 1 });
    expect(shareEqually(2, 5)).toEqual({ perRecipient: 0, remainder: 2 });
    expect(shareEqually(7, 0)).toEqual({ perRecipient: 0, remainder: 7 });
  });

  it('mints floor(score / ratio)', () => {
    expect(mintFor(87, 1)).toBe(87);
    expect(mintFor(87, 10)).toBe(8);
    expect(mintFor(0, 3)).toBe(0);
  });

  it('the generator repeats for one seed', () => {
    const a = seededRandom('abc');
    const b = seededRandom('abc');
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});
