/**
 * The system-wide rate limit as two token buckets (requests and tokens), each holding at most its
 * per-window limit and refilling continuously at limit per window: never more than the limit in
 * any burst, and no doubled burst at a window boundary. Pure; times in milliseconds.
 */
export interface RateLimits {
  /** Requests per window. */
  requests: number;
  /** Tokens per window. */
  tokens: number;
  windowMs: number;
}

export interface RateState {
  requests: number;
  tokens: number;
  atMs: number;
}

export function fullState(limits: RateLimits, nowMs: number): RateState {
  return { requests: limits.requests, tokens: limits.tokens, atMs: nowMs };
}

export function refill(state: RateState, limits: RateLimits, nowMs: number): RateState {
  const elapsed = Math.max(0, nowMs - state.atMs);
  return {
    requests: Math.min(limits.requests, state.requests + (elapsed * limits.requests) / limits.windowMs),
    tokens: Math.min(limits.tokens, state.tokens + (elapsed * limits.tokens) / limits.windowMs),
    atMs: Math.max(nowMs, state.atMs),
  };
}

/**
 * Takes one request and `tokens` tokens, or says how long until it could. A request larger than
 * the whole token limit goes through when the bucket is full and leaves it below zero.
 */
export function tryAcquire(state: RateState, limits: RateLimits, tokens: number, nowMs: number): { state: RateState; waitMs: number } {
  const s = refill(state, limits, nowMs);
  const needTokens = Math.min(tokens, limits.tokens);
  if (s.requests >= 1 && s.tokens >= needTokens) {
    return { state: { requests: s.requests - 1, tokens: s.tokens - tokens, atMs: s.atMs }, waitMs: 0 };
  }
  const waitRequests = s.requests >= 1 ? 0 : ((1 - s.requests) * limits.windowMs) / limits.requests;
  const waitTokens = s.tokens >= needTokens ? 0 : ((needTokens - s.tokens) * limits.windowMs) / limits.tokens;
  return { state: s, waitMs: Math.max(1, Math.ceil(Math.max(waitRequests, waitTokens))) };
}
