import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { withTransaction } from '../db/tx';
import { EcologyError } from '../errors';
import { tryAcquire, type RateLimits, type RateState } from './rateMath';

type LlmConfig = EcologyConfig['llm'];

export function rateLimitsOf(llm: LlmConfig): RateLimits {
  return { requests: llm.requestsPerMinute, tokens: llm.tokensPerMinute, windowMs: llm.rateWindowMs };
}

/**
 * One attempt to take a request slot and `tokens` from the shared limit (row llm_rate_limit,
 * locked, on the database clock so every worker agrees). Returns 0 when taken, else the wait.
 */
export async function acquireRate(pool: Pool, limits: RateLimits, tokens: number): Promise<number> {
  return withTransaction(pool, async (client) => {
    await client.query(
      'INSERT INTO llm_rate_limit (id, requests, tokens, updated_at) VALUES (true, $1, $2, now()) ON CONFLICT (id) DO NOTHING',
      [limits.requests, limits.tokens],
    );
    const r = await client.query<{ requests: number; tokens: number; at_ms: number; now_ms: number }>(
      `SELECT requests, tokens, extract(epoch FROM updated_at)::float8 * 1000 AS at_ms, extract(epoch FROM now())::float8 * 1000 AS now_ms
       FROM llm_rate_limit WHERE id FOR UPDATE`,
    );
    const row = r.rows[0];
    const state: RateState = { requests: row.requests, tokens: row.tokens, atMs: row.at_ms };
    const next = tryAcquire(state, limits, tokens, row.now_ms);
    if (next.waitMs > 0) return next.waitMs;
    await client.query(
      `UPDATE llm_rate_limit SET requests = $1, tokens = $2, updated_at = 'epoch'::timestamptz + $3 * interval '1 millisecond' WHERE id`,
      [next.state.requests, next.state.tokens, next.state.atMs],
    );
    return 0;
  });
}

/**
 * Corrects the token bucket once the provider reported the real usage (refund or extra charge).
 * Settlement does the same write in its own statement (src/llm/settle.ts).
 */
export async function correctRateTokens(db: Pick<Pool, 'query'>, limits: RateLimits, estimated: number, actual: number): Promise<void> {
  const delta = estimated - actual;
  if (delta === 0) return;
  await db.query('UPDATE llm_rate_limit SET tokens = LEAST($2::float8, tokens + $1) WHERE id', [delta, limits.tokens]);
}

export interface WaitOptions {
  maxWaitMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Called around each wait (an activity heartbeats here). */
  heartbeat?: () => void;
}

/**
 * Waits until the shared limit admits the call, sleeping in this process. Gives up with
 * UNAVAILABLE (retryable) when admission would take longer than `maxWaitMs` in total.
 * Returns how long it waited.
 */
export async function waitForRate(pool: Pool, limits: RateLimits, tokens: number, opts: WaitOptions): Promise<number> {
  let waited = 0;
  for (;;) {
    const waitMs = await acquireRate(pool, limits, tokens);
    if (waitMs === 0) return waited;
    if (waited + waitMs > opts.maxWaitMs) {
      throw new EcologyError('UNAVAILABLE', `the system LLM rate limit would need ${waitMs} ms more than the ${opts.maxWaitMs} ms allowed`, {
        reason: 'rate_limited',
        retry_after_ms: waitMs,
      });
    }
    opts.heartbeat?.();
    await opts.sleep(waitMs);
    waited += waitMs;
  }
}
