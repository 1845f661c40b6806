/**
 * The world's identity (SPEC section 11): a random id created once by migration 012 in the world's
 * own database. Its workflows carry it, and a worker serves only work of its own world, so two
 * worlds that share a Temporal namespace and task queue by mistake cannot end each other's agents.
 */
import type { Pool } from 'pg';
import { EcologyError } from '../errors';

export async function readWorldId(pool: Pick<Pool, 'query'>): Promise<string> {
  const r = await pool.query<{ world_id: string }>('SELECT world_id FROM world_identity WHERE singleton');
  const id = r.rows[0]?.world_id;
  if (!id) throw new Error('this database has no world identity (table world_identity); run the migrations');
  return id;
}

/** Work of another world reached this one's worker: refused, never acted on. */
export function worldMismatch(message: string): EcologyError {
  return new EcologyError('WORLD_MISMATCH', message);
}
