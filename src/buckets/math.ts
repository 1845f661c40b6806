/**
 * Token-bucket arithmetic (SPEC section 4), pure and in integers:
 *   available(t) = min(capacity, balance + rate * (t - last))
 * Time is in microseconds, rates in units per second. Work is charged after it runs, so a balance
 * may be negative (debt); accumulation goes on during debt.
 */
export interface BucketState {
  balance: number;
  /** Microseconds since the epoch at which `balance` was exact. */
  updatedUs: number;
}

export interface BucketRights {
  rate: number;
  capacity: number;
}

const US_PER_S = 1_000_000;

/**
 * Brings a bucket forward to `nowUs`. Only whole units accrue; the time behind a fractional unit is
 * kept (the clock advances by exactly the whole units' worth), so nothing is lost between updates.
 * A balance already above capacity (from a transfer) is not cut, it just stops accruing.
 */
export function settle(state: BucketState, rights: BucketRights, nowUs: number): BucketState {
  const elapsed = Math.max(0, nowUs - state.updatedUs);
  if (rights.rate <= 0 || state.balance >= rights.capacity) return { balance: state.balance, updatedUs: Math.max(nowUs, state.updatedUs) };
  const accrued = Math.floor((elapsed * rights.rate) / US_PER_S);
  const next = state.balance + accrued;
  if (next >= rights.capacity) return { balance: rights.capacity, updatedUs: nowUs };
  return { balance: next, updatedUs: state.updatedUs + Math.ceil((accrued * US_PER_S) / rights.rate) };
}

/** When a bucket in debt is back at zero; null when it never will (rate zero). */
export function recoveryUs(state: BucketState, rights: BucketRights): number | null {
  if (state.balance >= 0) return state.updatedUs;
  if (rights.rate <= 0) return null;
  return state.updatedUs + Math.ceil((-state.balance * US_PER_S) / rights.rate);
}
