import type { PoolClient } from 'pg';
import { spend } from '../buckets/store';
import { settleBudget } from './budget';
import { lockCall, markFailed, markSucceeded, resultOf, type Completion } from './callRecords';
import type { LlmCallResult } from './types';

/**
 * After the provider answered, in one transaction: the payer's LLM token bucket pays the tokens
 * (into debt if need be), its dollar allowance pays the cost (clamped at zero; the reservation
 * made sure it fits), the budget swaps the hold for the actual cost, and the call is recorded.
 * Happens once per key: a twin that answered later gets the first result, and charges nothing.
 */
export async function settleCall(client: PoolClient, key: string, payer: string | null, c: Completion, rateLimitedMs: number): Promise<LlmCallResult> {
  const row = await lockCall(client, key);
  if (!row) throw new Error(`llm call ${key} vanished`);
  if (row.status === 'succeeded') return resultOf(row, true, rateLimitedMs);
  if (payer !== null) {
    await spend(client, { id: `${key}:tokens`, principal: payer, resource: 'llm_tokens', amount: c.prompt_tokens + c.completion_tokens, kind: 'llm_call' });
    await client.query(
      `UPDATE quotas SET amount = GREATEST(amount - $2, 0) WHERE principal_id = $1 AND resource = 'llm_dollars'`,
      [payer, c.cost_micros],
    );
  }
  // A hold an expiry or a twin already gave back reads 0 here, so nothing is released twice.
  await settleBudget(client, { release: row.reserved_micros, spend: c.cost_micros });
  await markSucceeded(client, key, c);
  return resultOf({ ...row, ...c, status: 'succeeded', reserved_micros: 0 }, false, rateLimitedMs);
}

/**
 * After a final failure: gives back the hold and records the error, if this attempt still owns the
 * call (a retry that took it over decides for itself). Nothing is charged: a failed request
 * reports no usage.
 */
export async function failCall(client: PoolClient, key: string, ownerToken: string, error: string): Promise<void> {
  const row = await lockCall(client, key);
  if (!row || row.status !== 'reserved' || row.owner_token !== ownerToken) return;
  await settleBudget(client, { release: row.reserved_micros, spend: 0 });
  await markFailed(client, key, error);
}
