import { Pool, type PoolConfig } from 'pg';
import './int8';

export function createPool(url: string, max = 20, options: Omit<PoolConfig, 'connectionString' | 'max'> = {}): Pool {
  const pool = new Pool({ ...options, connectionString: url, max });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export type { Pool, PoolClient } from 'pg';
