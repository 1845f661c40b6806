/**
 * Functions and views live in one file, migrations/functions.sql, edited in place: `migrate`
 * applies it after the numbered migrations whenever its sha256 differs from the one the database
 * recorded (schema_functions), so a database that applied an earlier version does not silently
 * keep old definitions. Applying it again changes nothing; the triggers that use its functions
 * keep working.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { checkMigrations, FUNCTIONS_FILE, listMigrations, migrate, MIGRATIONS_DIR, readFunctionsFile, sha256 } from '../../src/db/migrate';
import { dumpSchema, SCHEMA_DUMP_FILE } from '../../src/db/schemaDump';
import { ecology, scratchSpace } from './support';

const { freshDb, scratchMigrations, cleanUp } = scratchSpace();
afterAll(() => cleanUp());

/** Every function, view and trigger of the schema, as PostgreSQL prints its definition. */
async function definitions(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ def: string }>(
    `SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p
       WHERE p.pronamespace = current_schema()::regnamespace
     UNION ALL
     SELECT format('VIEW %s AS %s', c.relname, pg_get_viewdef(c.oid)) FROM pg_class c
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('v', 'm')
     UNION ALL
     SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal
     ORDER BY 1`,
  );
  return rows.map((r) => r.def);
}

const recorded = async (pool: Pool) => (await pool.query<{ file: string; checksum: string }>('SELECT file, checksum FROM schema_functions')).rows;

/** The append-only trigger's refusal (forbid_change, a statement trigger: it fires on an empty table too). */
async function journalRefusal(pool: Pool): Promise<string> {
  const e = await pool.query('TRUNCATE journal').then(
    () => null,
    (err: Error) => err,
  );
  return e?.message ?? 'the update was not refused';
}

test('the file defines every function and view of the schema', async () => {
  const db = await freshDb();
  const { rows } = await db.pool.query<{ name: string; kind: string }>(
    `SELECT proname AS name, 'FUNCTION' AS kind FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
     UNION SELECT relname, 'VIEW' FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'v'`,
  );
  expect(rows.length).toBeGreaterThan(0);
  const text = readFunctionsFile()!.sql;
  for (const r of rows) expect(text).toMatch(new RegExp(`^CREATE OR REPLACE ${r.kind} ${r.name}\\b`, 'm'));
  expect(await recorded(db.pool)).toEqual([{ file: FUNCTIONS_FILE, checksum: sha256(readFileSync(join(MIGRATIONS_DIR, FUNCTIONS_FILE))) }]);
});

test('applying the file again, or twice, changes nothing', async () => {
  const db = await freshDb();
  const before = { defs: await definitions(db.pool), dump: dumpSchema(db.url) };
  // Unchanged: not applied again.
  expect(await migrate(db.pool)).toEqual({ applied: [] });
  // Forgotten (as on a database from before the file): applied again, twice in a row.
  await db.pool.query('DELETE FROM schema_functions');
  expect(await migrate(db.pool)).toEqual({ applied: [], functions: FUNCTIONS_FILE });
  await db.pool.query(readFunctionsFile()!.sql);
  expect(await definitions(db.pool)).toEqual(before.defs);
  expect(dumpSchema(db.url)).toBe(before.dump);
  expect(before.dump).toBe(readFileSync(SCHEMA_DUMP_FILE, 'utf8'));
  expect(await journalRefusal(db.pool)).toMatch(/journal is append-only/);
});

test('an edited function is applied on the next start, its new hash recorded; its trigger uses it', async () => {
  const db = await freshDb();
  const dir = scratchMigrations();
  const file = join(dir, FUNCTIONS_FILE);
  const edited = readFileSync(file, 'utf8').replace("'% is append-only'", "'% is append-only (edited in place)'");
  expect(edited).not.toBe(readFileSync(file, 'utf8'));
  writeFileSync(file, edited);

  // A process that does not migrate sees that the database runs other definitions.
  await expect(checkMigrations(db.pool, { dir })).rejects.toMatchObject({ code: 'NOT_MIGRATED', details: { pending: [FUNCTIONS_FILE] } });
  expect(await migrate(db.pool, dir)).toEqual({ applied: [], functions: FUNCTIONS_FILE });
  expect(await recorded(db.pool)).toEqual([{ file: FUNCTIONS_FILE, checksum: sha256(edited) }]);
  expect(await journalRefusal(db.pool)).toMatch(/journal is append-only \(edited in place\)/);
  await expect(checkMigrations(db.pool, { dir })).resolves.toBeUndefined();
  expect(await migrate(db.pool, dir)).toEqual({ applied: [] });

  // Back to the repository's file: applied again, and the dump is the checked-in one.
  expect(await migrate(db.pool)).toEqual({ applied: [], functions: FUNCTIONS_FILE });
  expect(await journalRefusal(db.pool)).toMatch(/^journal is append-only$/);
  expect(dumpSchema(db.url)).toBe(readFileSync(SCHEMA_DUMP_FILE, 'utf8'));
});

test('a database upgraded from one that kept an old function ends with the definitions of a fresh one', async () => {
  const fresh = await freshDb();
  // Migrated by code from before the functions file, and still running an older dispatch_transfer
  // (as a database does that applied an earlier version of a function that was edited in place).
  const old = await freshDb(false);
  expect(await migrate(old.pool, scratchMigrations({ functions: false }))).toEqual({ applied: listMigrations().map((m) => m.name) });
  await old.pool.query('DROP TABLE schema_functions');
  await old.pool.query(`CREATE OR REPLACE FUNCTION dispatch_transfer(p_key text, p_caller text, p_to text, p_amount bigint, p_memo text,
                          p_args jsonb, p_compute bigint, p_treasury text) RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
  expect(await definitions(old.pool)).not.toEqual(await definitions(fresh.pool));
  await expect(checkMigrations(old.pool)).rejects.toMatchObject({ code: 'NOT_MIGRATED', details: { pending: [FUNCTIONS_FILE] } });

  expect(await migrate(old.pool)).toEqual({ applied: [], functions: FUNCTIONS_FILE });
  expect(await definitions(old.pool)).toEqual(await definitions(fresh.pool));
  expect(dumpSchema(old.url)).toBe(dumpSchema(fresh.url));
  await expect(checkMigrations(old.pool)).resolves.toBeUndefined();
});

test('`ecology migrate` says when it applied the functions file', async () => {
  const db = await freshDb();
  await db.pool.query('DELETE FROM schema_functions');
  expect(await ecology(['migrate', '--json'], db.url)).toMatchObject({ code: 0, json: { ok: true, applied: [], functions: FUNCTIONS_FILE } });
  expect(await ecology(['migrate', '--json'], db.url)).toEqual({ code: 0, json: { ok: true, applied: [], genesis_created: [] } });
});
