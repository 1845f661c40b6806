/** Pure token-bucket arithmetic (src/buckets/math.ts): available(t) = min(capacity, balance + rate * (t - last)). */
import { recoveryUs, settle, type BucketRights, type BucketState } from '../../src/buckets/math';

const S = 1_000_000; // microseconds per second
const T0 = 1_700_000_000 * S;

function at(balance: number, updatedUs = T0): BucketState {
  return { balance, updatedUs };
}

describe('settle: accrual', () => {
  const rights: BucketRights = { rate: 10, capacity: 1000 };

  it('accrues rate units per elapsed second and advances the clock to now when the units are whole', () => {
    expect(settle(at(0), rights, T0 + 3 * S)).toEqual({ balance: 30, updatedUs: T0 + 3 * S });
    expect(settle(at(250), rights, T0 + 7 * S)).toEqual({ balance: 320, updatedUs: T0 + 7 * S });
  });

  it('accrues nothing when no time passed, and never runs the clock backwards', () => {
    expect(settle(at(42), rights, T0)).toEqual({ balance: 42, updatedUs: T0 });
    // A clock that went back (now before the last update) accrues nothing and keeps the later time.
    expect(settle(at(42), rights, T0 - 5 * S)).toEqual({ balance: 42, updatedUs: T0 });
  });

  it('caps at capacity and sets the clock to now', () => {
    expect(settle(at(990), rights, T0 + 5 * S)).toEqual({ balance: 1000, updatedUs: T0 + 5 * S });
    expect(settle(at(0), rights, T0 + 3600 * S)).toEqual({ balance: 1000, updatedUs: T0 + 3600 * S });
    // Exactly reaching capacity.
    expect(settle(at(900), rights, T0 + 10 * S)).toEqual({ balance: 1000, updatedUs: T0 + 10 * S });
  });

  it('a long idle time at a high rate saturates at capacity exactly (no float drift past it)', () => {
    const big = { rate: 2000, capacity: 120_000 };
    expect(settle(at(-5000, T0), big, T0 + 365 * 24 * 3600 * S)).toEqual({ balance: 120_000, updatedUs: T0 + 365 * 24 * 3600 * S });
  });

  it('keeps accruing during debt (a negative balance)', () => {
    expect(settle(at(-500), rights, T0 + 20 * S)).toEqual({ balance: -300, updatedUs: T0 + 20 * S });
    expect(settle(at(-500), rights, T0 + 60 * S)).toEqual({ balance: 100, updatedUs: T0 + 60 * S });
  });
});

describe('settle: carry of fractions', () => {
  it('only whole units accrue; the time behind a fractional unit is kept for the next settle', () => {
    const rights = { rate: 10, capacity: 1000 }; // one unit per 100 ms
    const first = settle(at(0), rights, T0 + 250_000); // 2.5 units' worth
    expect(first).toEqual({ balance: 2, updatedUs: T0 + 200_000 });
    const second = settle(first, rights, T0 + 350_000); // 1.5 units' worth since the kept clock
    expect(second).toEqual({ balance: 3, updatedUs: T0 + 300_000 });
  });

  it('settling in many small steps gives the same total as one big step', () => {
    const rights = { rate: 7, capacity: 1_000_000 };
    let state = at(0);
    for (let t = 1; t <= 1000; t++) state = settle(state, rights, T0 + t * 37_000); // 37 ms steps: 0.259 units each
    const once = settle(at(0), rights, T0 + 1000 * 37_000);
    expect(once.balance).toBe(Math.floor((37 * 7 * 1000) / 1000)); // 259
    // Rounding of the carried clock may cost at most one microsecond per whole unit; never a unit more.
    expect(state.balance).toBeLessThanOrEqual(once.balance);
    expect(state.balance).toBeGreaterThanOrEqual(once.balance - 1);
  });

  it('a rate that does not divide a second still never over-accrues', () => {
    const rights = { rate: 3, capacity: 1000 }; // one unit per 333,333.3 us
    const s = settle(at(0), rights, T0 + 400_000);
    expect(s.balance).toBe(1);
    expect(s.updatedUs).toBe(T0 + 333_334);
    expect(settle(s, rights, T0 + S).balance).toBe(2); // 666,666 us more = 1.99999 units
    expect(settle(s, rights, T0 + S + 1).balance).toBe(3);
  });
});

describe('settle: rate 0 and balances above capacity', () => {
  it('rate 0 never accrues, in credit or in debt, and only moves the clock forward', () => {
    const rights = { rate: 0, capacity: 1000 };
    expect(settle(at(5), rights, T0 + 3600 * S)).toEqual({ balance: 5, updatedUs: T0 + 3600 * S });
    expect(settle(at(-80), rights, T0 + 3600 * S)).toEqual({ balance: -80, updatedUs: T0 + 3600 * S });
  });

  it('a balance above capacity (from a transfer) is kept, not cut, and does not accrue', () => {
    const rights = { rate: 10, capacity: 100 };
    expect(settle(at(250), rights, T0 + 60 * S)).toEqual({ balance: 250, updatedUs: T0 + 60 * S });
    expect(settle(at(100), rights, T0 + 60 * S)).toEqual({ balance: 100, updatedUs: T0 + 60 * S });
  });

  it('capacity 0 lets a debt recover up to zero and no further', () => {
    const rights = { rate: 10, capacity: 0 };
    expect(settle(at(-30), rights, T0 + 2 * S)).toEqual({ balance: -10, updatedUs: T0 + 2 * S });
    expect(settle(at(-30), rights, T0 + 10 * S)).toEqual({ balance: 0, updatedUs: T0 + 10 * S });
    expect(settle(at(0), rights, T0 + 10 * S)).toEqual({ balance: 0, updatedUs: T0 + 10 * S });
  });
});

describe('recoveryUs: when a bucket in debt is back at zero', () => {
  it('is the last update when not in debt', () => {
    expect(recoveryUs(at(0), { rate: 10, capacity: 100 })).toBe(T0);
    expect(recoveryUs(at(50), { rate: 0, capacity: 100 })).toBe(T0);
  });

  it('is debt / rate seconds after the last exact balance, rounded up to the microsecond', () => {
    expect(recoveryUs(at(-50), { rate: 10, capacity: 100 })).toBe(T0 + 5 * S);
    expect(recoveryUs(at(-1), { rate: 3, capacity: 100 })).toBe(T0 + 333_334);
  });

  it('is null when the rate is 0: the bucket never recovers by itself', () => {
    expect(recoveryUs(at(-1), { rate: 0, capacity: 100 })).toBeNull();
  });

  it('agrees with settle: at the recovery time the balance is exactly 0, one microsecond before it is still negative', () => {
    for (const [debt, rate] of [[50, 10], [7, 3], [1, 1], [123_457, 2000], [999, 7]] as const) {
      const state = at(-debt);
      const rights = { rate, capacity: 10_000_000 };
      const when = recoveryUs(state, rights)!;
      expect(settle(state, rights, when).balance).toBe(0);
      expect(settle(state, rights, when - 1).balance).toBeLessThan(0);
    }
  });

  it('recovery computed after a settle with a carried fraction is still exact', () => {
    const rights = { rate: 3, capacity: 1000 };
    const settled = settle(at(-10), rights, T0 + 500_000); // 1 unit accrued, clock kept at +333,334
    expect(settled).toEqual({ balance: -9, updatedUs: T0 + 333_334 });
    const when = recoveryUs(settled, rights)!;
    expect(when).toBe(T0 + 333_334 + 3 * S);
    expect(settle(settled, rights, when).balance).toBe(0);
  });
});
