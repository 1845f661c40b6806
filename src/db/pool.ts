import { Pool, types } from 'pg';

// bigint (int8) columns arrive as strings by default. All our amounts fit in a JS safe integer
// (inputs are validated to that range), so parse them as numbers; refuse anything beyond.
types.setTypeParser(20, (text: string) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${text} exceeds the safe integer range`);
  return n;
});

export function createPool(url: string, max = 20): Pool {
  const pool = new Pool({ connectionString: url, max });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export type { Pool, PoolClient } from 'pg';
