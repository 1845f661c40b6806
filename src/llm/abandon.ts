import type { PoolClient } from 'pg';
import { spend } from '../buckets/store';
import { settleBudget } from './budget';
import { lockCall, markFailed, type CallRow } from './callRecords';

/**
 * Settles an attempt whose outcome is unknown (its worker died with the request possibly sent, or
 * it never came back) at its reserved worst case, since the provider may have billed it: the
 * payer's LLM token bucket pays the token worst case (into debt if need be), its dollar allowance
 * and the budget the dollar worst case (the hold becomes spend), a row in llm_abandoned_attempts
 * records it under the call key and attempt number, and the call is marked failed. `row` is
 * locked by the caller and still `reserved`. Charged once per attempt (the row and the bucket
 * effect are keyed by it).
 */
export async function chargeAbandonedAttempt(client: PoolClient, row: CallRow, reason: string): Promise<void> {
  const recorded = await client.query(
    `INSERT INTO llm_abandoned_attempts (key, attempt, payer_id, cost_micros, tokens, reason)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
    [row.key, Math.max(1, row.attempts), row.payer_id, row.worst_case_micros, row.worst_case_tokens, reason],
  );
  if (recorded.rowCount === 1 && row.payer_id !== null) {
    // Ends in '@attempt<n>', never ':tokens': cannot be the id a settlement derives from another key.
    await spend(client, { id: `${row.key}:tokens@attempt${row.attempts}`, principal: row.payer_id, resource: 'llm_tokens', amount: row.worst_case_tokens, kind: 'llm_abandoned_attempt' });
    await client.query(`UPDATE quotas SET amount = GREATEST(amount - $2, 0) WHERE principal_id = $1 AND resource = 'llm_dollars'`, [row.payer_id, row.worst_case_micros]);
  }
  await settleBudget(client, { release: row.reserved_micros, spend: recorded.rowCount === 1 ? row.worst_case_micros : 0 });
  await markFailed(client, row.key, reason);
}

/**
 * Charges the open attempt of `key`, if it has one, its worst case: its caller has moved on to
 * another key, so whoever ran it is gone (or will find it settled). True when one was charged.
 */
export async function chargeOpenAttempt(client: PoolClient, key: string, reason: string): Promise<boolean> {
  const row = await lockCall(client, key);
  if (!row || row.status !== 'reserved') return false;
  await chargeAbandonedAttempt(client, row, reason);
  return true;
}
