import type { Pool } from 'pg';
import { loadConfig } from '../../src/config/load';
import { createTestDatabase, type TestDatabase } from '../../test/support/testDb';

/**
 * A fresh migrated database for one benchmark run, on the server of the configured DATABASE_URL
 * (created and dropped like a test database).
 */
export async function createBenchDatabase(): Promise<TestDatabase> {
  process.env.DATABASE_URL ??= loadConfig().database.url;
  return createTestDatabase();
}

export async function serverVersion(pool: Pool): Promise<string> {
  const r = await pool.query<{ v: string; fsync: string; sync: string }>(
    "SELECT current_setting('server_version') AS v, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync",
  );
  const row = r.rows[0];
  return `PostgreSQL ${row.v} (fsync=${row.fsync}, synchronous_commit=${row.sync})`;
}
