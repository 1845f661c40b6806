/**
 * A fresh, throw-away database per test file, on the server of DATABASE_URL:
 *
 *   const db = await createTestDatabase();   // migrated; { migrate: false } for an empty one
 *   afterAll(() => db.drop());
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { adminQuery as adminOn } from '../../src/db/admin';
import { migrate as runMigrations } from '../../src/db/migrate';

export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  /** Pool on it (max 40 connections). */
  pool: Pool;
  /** Ends the pool and drops the database, closing any connections still open. Idempotent. */
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set; run the tests with `npm test` (scripts/test.sh)');
  await adminOn(url, sql);
}

export async function createTestDatabase({ migrate = true }: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `ecology_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const u = new URL(process.env.DATABASE_URL as string);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = new Pool({ connectionString: url, max: 40 });
  // A client losing its connection when drop() terminates it (idle, or checked out and never
  // released by a test) must not crash jest with an unhandled 'error' event.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));

  let dropped: Promise<void> | undefined;
  const drop = (): Promise<void> =>
    (dropped ??= (async () => {
      // pool.end() waits for checked-out clients; don't let a leaked one block the drop.
      const ended = pool.end().catch(() => undefined);
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    })());

  if (migrate) {
    try {
      await runMigrations(pool);
    } catch (err) {
      await drop().catch(() => undefined);
      throw err;
    }
  }
  return { url, pool, drop };
}
