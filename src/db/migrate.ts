import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { EcologyError, invalid } from '../errors';

export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');
/** The checked-in list `file name -> sha256` of committed migrations (see test/db/migrationLock.test.ts). */
export const CHECKSUMS_FILE = 'checksums.json';
/**
 * The current definitions of every function, trigger function and view: edited in place, and
 * applied after the numbered migrations whenever its sha256 differs from the one recorded in
 * schema_functions (see the file's header).
 */
export const FUNCTIONS_FILE = 'functions.sql';
/** Any constant: serialises concurrent migrators on one database. */
const MIGRATION_LOCK = 7_261_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** sha256 (hex) of the file's bytes. */
  checksum: string;
}

/** A row of schema_migrations; checksum is null for rows applied before checksums were recorded. */
interface AppliedRow {
  version: number;
  name: string;
  checksum: string | null;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Numbered files `NNN_name.sql`, in order; two files with one number are refused. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const bytes = readFileSync(join(dir, f));
      return { version: Number(f.slice(0, 3)), name: f, sql: bytes.toString('utf8'), checksum: sha256(bytes) };
    });
  files.forEach((m, i) => {
    const prev = files[i - 1];
    if (prev && prev.version === m.version) {
      throw invalid(`migrations ${prev.name} and ${m.name} share the number ${m.name.slice(0, 3)}; renumber the one not yet committed (gaps are fine)`, {
        files: [prev.name, m.name],
      });
    }
  });
  return files;
}

/** `dir`'s functions file, if it has one (a scratch copy of some migrations may not). */
export function readFunctionsFile(dir = MIGRATIONS_DIR): Omit<Migration, 'version'> | undefined {
  const file = join(dir, FUNCTIONS_FILE);
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  return { name: FUNCTIONS_FILE, sql: bytes.toString('utf8'), checksum: sha256(bytes) };
}

/** Whether the database last applied another version of the functions file than `file` (or none). */
async function functionsStale(client: Pool | PoolClient, file: Omit<Migration, 'version'>): Promise<boolean> {
  const table = await client.query<{ exists: boolean }>(`SELECT to_regclass('schema_functions') IS NOT NULL AS exists`);
  if (!table.rows[0]!.exists) return true;
  const { rows } = await client.query<{ checksum: string }>('SELECT checksum FROM schema_functions WHERE file = $1', [file.name]);
  return rows[0]?.checksum !== file.checksum;
}

/** The locked checksums of `dir` (empty when it has no checksums.json). */
export function lockedChecksums(dir = MIGRATIONS_DIR): Record<string, string> {
  const file = join(dir, CHECKSUMS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}

const changed = (name: string, why: string) =>
  new EcologyError(
    'MIGRATION_CHANGED',
    `migration ${name} ${why}. A committed migration is never edited: restore the file as it was applied (git history), and put new behaviour in a NEW migration file`,
    { file: name },
  );

/**
 * Holds the database's applied migrations to the code's files: every applied file must still exist
 * under its name with the checksum recorded when it was applied. Returns the files not applied yet
 * and the checksums to record for rows applied before checksums existed (allowed only when the file
 * still equals its locked checksum, since nothing else tells which version the database ran).
 */
function compare(applied: AppliedRow[], files: Migration[], locked: Record<string, string>) {
  const byVersion = new Map(files.map((m) => [m.version, m]));
  const backfill: Array<{ version: number; checksum: string }> = [];
  for (const row of applied) {
    const file = byVersion.get(row.version);
    if (!file || file.name !== row.name) {
      throw new EcologyError(
        'MIGRATION_UNKNOWN',
        `the database has applied migration ${row.name}, which this code does not have (the database is newer than the code, or was migrated by another branch); run the code that migrated it`,
        { file: row.name },
      );
    }
    if (row.checksum === null) {
      if (locked[file.name] !== file.checksum) throw changed(file.name, 'was applied before checksums were recorded, and its file no longer matches migrations/checksums.json');
      backfill.push({ version: row.version, checksum: file.checksum });
    } else if (row.checksum !== file.checksum) {
      throw changed(file.name, `differs from the file the database applied (sha256 ${row.checksum.slice(0, 12)}…, the file now ${file.checksum.slice(0, 12)}…)`);
    }
  }
  const done = new Set(applied.map((r) => r.version));
  return { pending: files.filter((m) => !done.has(m.version)), backfill };
}

async function appliedRows(client: Pool | PoolClient): Promise<AppliedRow[] | undefined> {
  const { rows } = await client.query<{ has_table: boolean; has_checksum: boolean }>(
    `SELECT to_regclass('schema_migrations') IS NOT NULL AS has_table,
            EXISTS (SELECT 1 FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'checksum') AS has_checksum`,
  );
  if (!rows[0]!.has_table) return undefined;
  const checksum = rows[0]!.has_checksum ? 'checksum' : 'NULL::text AS checksum';
  return (await client.query<AppliedRow>(`SELECT version, name, ${checksum} FROM schema_migrations ORDER BY version`)).rows;
}

/**
 * Applies pending migrations, then the functions file when it changed (`functions` names it when
 * it was applied), all in one transaction under an advisory lock, so running it twice or
 * concurrently is safe: the second runner waits, then finds nothing to do. Refuses (typed
 * MIGRATION_CHANGED / MIGRATION_UNKNOWN, nothing applied) a database whose applied files differ
 * from the code's or that has files the code does not know.
 */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<{ applied: string[]; functions?: string }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // A migration may outlast the app's statement_timeout (database.statementTimeoutMs), and so may the wait for a concurrent migrator.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text');
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_functions (
         file text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { pending, backfill } = compare((await appliedRows(client)) ?? [], listMigrations(dir), lockedChecksums(dir));
    for (const b of backfill) await client.query('UPDATE schema_migrations SET checksum = $2 WHERE version = $1', [b.version, b.checksum]);
    const applied: string[] = [];
    for (const m of pending) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      applied.push(m.name);
    }
    const functions = readFunctionsFile(dir);
    const reapply = functions !== undefined && (await functionsStale(client, functions));
    if (reapply) {
      await client.query(functions.sql);
      await client.query(
        `INSERT INTO schema_functions (file, checksum) VALUES ($1, $2)
         ON CONFLICT (file) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()`,
        [functions.name, functions.checksum],
      );
    }
    await client.query('COMMIT');
    return reapply ? { applied, functions: functions.name } : { applied };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/**
 * The start-up check of a process that uses the database without migrating it (the CLI, the
 * worker): throws MIGRATION_CHANGED / MIGRATION_UNKNOWN as migrate() would, and NOT_MIGRATED when
 * files are pending (the functions file too, when the database applied another version of it),
 * unless `allowPending` (commands that report a missing table themselves, and `ecology migrate`).
 * Reads only.
 */
export async function checkMigrations(pool: Pool, opts: { dir?: string; allowPending?: boolean } = {}): Promise<void> {
  const dir = opts.dir ?? MIGRATIONS_DIR;
  const { pending } = compare((await appliedRows(pool)) ?? [], listMigrations(dir), lockedChecksums(dir));
  if (opts.allowPending) return;
  const functions = readFunctionsFile(dir);
  const names = [...pending.map((m) => m.name), ...(functions && (await functionsStale(pool, functions)) ? [functions.name] : [])];
  if (names.length) {
    throw new EcologyError('NOT_MIGRATED', `the database has not applied ${names.join(', ')}; run "ecology migrate"`, { pending: names });
  }
}
