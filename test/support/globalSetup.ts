/**
 * Jest globalSetup: fails fast, with a clear message, unless DATABASE_URL names a reachable
 * PostgreSQL server. `npm test` (scripts/test.sh) starts the services and sets it; to run jest
 * directly, first do: eval "$(scripts/services.sh --env)"
 */
import { Client } from 'pg';

const HOW_TO =
  'Run the tests with `npm test` (scripts/test.sh), which starts PostgreSQL, Docker and Temporal, ' +
  'or start them first with: eval "$(scripts/services.sh --env)"';

export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error(`DATABASE_URL is not set. ${HOW_TO}`);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(`PostgreSQL at DATABASE_URL=${url} is not reachable (${(err as Error).message}). ${HOW_TO}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
