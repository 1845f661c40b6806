import type { Pool, PoolClient } from 'pg';
import './int8';

/** PostgreSQL errors that mean "run the transaction again": serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

export function isRetryableDbError(e: unknown): boolean {
  return RETRYABLE.has((e as { code?: string })?.code ?? '');
}

/**
 * Runs `fn` in one transaction on its own connection; retries on serialization failures and
 * deadlocks (the whole transaction rolled back, so a retry is safe).
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, maxRetries = 8): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (attempt < maxRetries && isRetryableDbError(e)) {
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
        continue;
      }
      throw e;
    } finally {
      client.release();
    }
  }
}

/** Runs `fn` inside a savepoint: on a throw only its work is undone and the error rethrown. */
export async function inSavepoint<T>(client: PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('SAVEPOINT op');
  try {
    const result = await fn();
    await client.query('RELEASE SAVEPOINT op');
    return result;
  } catch (e) {
    await client.query('ROLLBACK TO SAVEPOINT op');
    throw e;
  }
}
