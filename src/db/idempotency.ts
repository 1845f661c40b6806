import type { PoolClient } from 'pg';
import { EcologyError } from '../errors';

/**
 * Runs an effect at most once per caller-made id (table resource_effects). The row is inserted
 * first, so a concurrent twin blocks on the primary key until the first commits and then replays
 * its result. The same id with another payload is IDEMPOTENCY_CONFLICT.
 */
export async function once<T>(
  client: PoolClient,
  effect: { id: string; kind: string; payload: unknown },
  apply: () => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  const inserted = await client.query(
    `INSERT INTO resource_effects (id, kind, payload, result) VALUES ($1, $2, $3, 'null'::jsonb)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [effect.id, effect.kind, JSON.stringify(effect.payload)],
  );
  if (inserted.rowCount === 0) {
    const prior = await client.query<{ same: boolean; result: T }>(
      `SELECT kind = $2 AND payload = $3::jsonb AS same, result FROM resource_effects WHERE id = $1`,
      [effect.id, effect.kind, JSON.stringify(effect.payload)],
    );
    if (!prior.rows[0]?.same) {
      throw new EcologyError('IDEMPOTENCY_CONFLICT', `id ${effect.id} was already used for a different ${effect.kind}`);
    }
    return { result: prior.rows[0].result, replayed: true };
  }
  const result = await apply();
  await client.query('UPDATE resource_effects SET result = $2 WHERE id = $1', [effect.id, JSON.stringify(result ?? null)]);
  return { result, replayed: false };
}
