import { Pool } from 'pg';
import './int8';

export function createPool(url: string, max = 20): Pool {
  const pool = new Pool({ connectionString: url, max });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export type { Pool, PoolClient } from 'pg';
