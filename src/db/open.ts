import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { createEmbeddedPool, embeddedDataDir, startEmbeddedServer } from './embedded';
import { createPool } from './pool';

/** The app's database, as configured: PostgreSQL at database.url, or the embedded PGlite. */
export interface Database {
  pool: Pool;
  mode: EcologyConfig['database']['mode'];
  /** Where the pool connects (embedded: the loopback port serving PGlite). */
  url: string;
  /** For messages: the data directory (embedded) or the url. */
  where: string;
  /** Ends the pool (and stops the embedded database). Idempotent. */
  close(): Promise<void>;
}

/** The one place the CLI and the worker get their pool from (so embedded mode reaches both). */
export async function openDatabase(config: EcologyConfig): Promise<Database> {
  if (config.database.mode === 'server') {
    const { acquireTimeoutMs, statementTimeoutMs, idleInTransactionTimeoutMs } = config.database;
    const pool = createPool(config.database.url, config.database.poolMax, {
      connectionTimeoutMillis: acquireTimeoutMs,
      statement_timeout: statementTimeoutMs,
      idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
    });
    let closing: Promise<void> | undefined;
    return { pool, mode: 'server', url: config.database.url, where: config.database.url, close: () => (closing ??= pool.end()) };
  }
  const server = await startEmbeddedServer(embeddedDataDir(config));
  const pool = createEmbeddedPool(server, config);
  let closing: Promise<void> | undefined;
  return {
    pool,
    mode: 'embedded',
    url: server.url,
    where: server.dataDir,
    close: () => (closing ??= pool.end().catch(() => undefined).then(() => server.close())),
  };
}
