import { Client } from 'pg';

/**
 * Runs one statement on its own connection to `url`, closed afterwards: for what cannot run in a
 * pool's transaction or against the database it is about (CREATE DATABASE, DROP DATABASE).
 */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
