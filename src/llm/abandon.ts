import type { PoolClient } from 'pg';
import { grant, spend } from '../buckets/store';
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

/**
 * An attempt charged its worst case (abandoned) that later came back with the provider's usage:
 * its charge is corrected down to that usage (never up), giving the difference back to the
 * payer's bucket and allowance and to the budget. Once per attempt. Returns whether it corrected.
 */
export async function correctAbandonedAttempt(client: PoolClient, key: string, attempt: number, usage: { tokens: number; cost_micros: number }): Promise<boolean> {
  const r = await client.query<{ payer_id: string | null; cost_micros: number; tokens: number }>(
    `UPDATE llm_abandoned_attempts a SET cost_micros = $3, tokens = $4, reason = a.reason || '; corrected to the usage the provider reported'
     FROM (SELECT key, attempt, cost_micros, tokens FROM llm_abandoned_attempts WHERE key = $1 AND attempt = $2 FOR UPDATE) old
     WHERE a.key = old.key AND a.attempt = old.attempt AND old.cost_micros >= $3 AND old.tokens >= $4 AND (old.cost_micros > $3 OR old.tokens > $4)
     RETURNING a.payer_id, old.cost_micros, old.tokens`,
    [key, attempt, usage.cost_micros, usage.tokens],
  );
  const old = r.rows[0];
  if (!old) return false;
  const micros = old.cost_micros - usage.cost_micros;
  const tokens = old.tokens - usage.tokens;
  if (old.payer_id !== null) {
    if (tokens > 0) await grant(client, { id: `${key}:tokens@attempt${attempt}:corrected`, principal: old.payer_id, resource: 'llm_tokens', amount: tokens, kind: 'llm_abandoned_attempt_corrected' });
    if (micros > 0) await client.query(`UPDATE quotas SET amount = amount + $2 WHERE principal_id = $1 AND resource = 'llm_dollars'`, [old.payer_id, micros]);
  }
  await settleBudget(client, { release: 0, spend: -micros });
  return true;
}
