import type { PoolClient } from 'pg';
import { EcologyError } from '../errors';

export interface Effect {
  id: string;
  kind: string;
  payload: unknown;
}

/**
 * The claim of an effect id, as a CTE named `claim` for statements that do their first step in the
 * same round trip: it returns the id when this call made the claim and nothing when the id existed.
 * Placeholders from `$first`: the id, the kind, the payload (JSON text); and, when the statement
 * already knows the result, `$resultParam` (JSON text) instead of the 'null' stored until then.
 */
export function claimCte(first: number, resultParam?: number): string {
  const result = resultParam === undefined ? `'null'::jsonb` : `$${resultParam}::jsonb`;
  return `claim AS (
    INSERT INTO resource_effects (id, kind, payload, result) VALUES ($${first}, $${first + 1}, $${first + 2}::jsonb, ${result})
    ON CONFLICT (id) DO NOTHING RETURNING id)`;
}

/** Stores an effect's result, as a CTE named `stored`: placeholders for the id and the result (JSON text). */
export function storeResultCte(idParam: number, resultParam: number): string {
  return `stored AS (UPDATE resource_effects SET result = $${resultParam}::jsonb WHERE id = $${idParam})`;
}

/** An effect whose id was claimed before: its first result, or IDEMPOTENCY_CONFLICT for another payload. */
export async function replayEffect<T>(client: PoolClient, effect: Effect): Promise<T> {
  const prior = await client.query<{ same: boolean; result: T }>(
    `SELECT kind = $2 AND payload = $3::jsonb AS same, result FROM resource_effects WHERE id = $1`,
    [effect.id, effect.kind, JSON.stringify(effect.payload)],
  );
  if (!prior.rows[0]?.same) {
    throw new EcologyError('IDEMPOTENCY_CONFLICT', `id ${effect.id} was already used for a different ${effect.kind}`);
  }
  return prior.rows[0].result;
}

/**
 * Runs an effect at most once per caller-made id (table resource_effects). The row is inserted
 * first, so a concurrent twin blocks on the primary key until the first commits and then replays
 * its result. The same id with another payload is IDEMPOTENCY_CONFLICT.
 */
export async function once<T>(client: PoolClient, effect: Effect, apply: () => Promise<T>): Promise<{ result: T; replayed: boolean }> {
  const inserted = await client.query({
    name: 'effect_claim',
    text: `WITH ${claimCte(1)} SELECT id FROM claim`,
    values: [effect.id, effect.kind, JSON.stringify(effect.payload)],
  });
  if (inserted.rowCount === 0) return { result: await replayEffect<T>(client, effect), replayed: true };
  const result = await apply();
  await client.query({
    name: 'effect_store_result',
    text: 'UPDATE resource_effects SET result = $2::jsonb WHERE id = $1',
    values: [effect.id, JSON.stringify(result ?? null)],
  });
  return { result, replayed: false };
}
