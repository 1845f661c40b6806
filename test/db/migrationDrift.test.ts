/**
 * A database that applied other migration files than the code's is refused at start-up, with a
 * typed error naming the file: an edited committed migration (MIGRATION_CHANGED), a migration the
 * code does not know (MIGRATION_UNKNOWN, a database newer than the code). Nothing is applied then.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { checkMigrations, listMigrations, migrate } from '../../src/db/migrate';
import { startEcologyWorker } from '../../workers/worker';
import type { TestDatabase } from '../support/testDb';
import { ecology, scratchSpace } from './support';
import { silentLogger } from '../../src/log/logger';

const { freshDb, scratchMigrations, cleanUp } = scratchSpace();

/** Starts a worker; one that starts (the check failed to refuse) is shut down again, not left running. */
const startWorker = (db: TestDatabase) =>
  startEcologyWorker({ config: loadConfig({ env: { DATABASE_URL: db.url } }), pool: db.pool, sandbox: null, logger: silentLogger() }).then(async (running) => {
    await running.shutdown();
    return running;
  });

const tableNames = async (db: TestDatabase) => (await db.pool.query<{ name: string }>(`SELECT name FROM schema_migrations ORDER BY version`)).rows.map((r) => r.name);

afterAll(() => cleanUp());

describe('an edited committed migration', () => {
  it('is refused by migrate() on a database migrated with the original, naming the file; nothing is applied', async () => {
    const db = await freshDb();
    const dir = scratchMigrations();
    appendFileSync(join(dir, '008_dispatch_transfer.sql'), '\n-- a quiet fix, edited in place\n');
    writeFileSync(join(dir, '099_later.sql'), 'CREATE TABLE later_thing (id int);\n');
    await expect(migrate(db.pool, dir)).rejects.toMatchObject({ code: 'MIGRATION_CHANGED', details: { file: '008_dispatch_transfer.sql' } });
    await expect(migrate(db.pool, dir)).rejects.toThrow(/008_dispatch_transfer\.sql/);
    await expect(checkMigrations(db.pool, { dir })).rejects.toMatchObject({ code: 'MIGRATION_CHANGED' });
    expect(await tableNames(db)).toEqual(listMigrations().map((m) => m.name));
    expect((await db.pool.query(`SELECT to_regclass('later_thing') AS t`)).rows[0].t).toBeNull();
    // The control: the unedited copy (plus the new file) migrates.
    const clean = scratchMigrations();
    writeFileSync(join(clean, '099_later.sql'), 'CREATE TABLE later_thing (id int);\n');
    expect(await migrate(db.pool, clean)).toEqual({ applied: ['099_later.sql'] });
  });

  it('records a checksum per applied file', async () => {
    const db = await freshDb();
    const rows = (await db.pool.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY version')).rows;
    expect(rows).toEqual(listMigrations().map((m) => ({ name: m.name, checksum: m.checksum })));
  });
});

describe('a database with a migration the code does not know', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDb();
    await db.pool.query(`INSERT INTO schema_migrations (version, name) VALUES (998, '998_from_a_newer_release.sql')`);
  });

  it('is refused by migrate()', async () => {
    await expect(migrate(db.pool)).rejects.toMatchObject({ code: 'MIGRATION_UNKNOWN', details: { file: '998_from_a_newer_release.sql' } });
  });

  it('is refused by the worker at start-up', async () => {
    await expect(startWorker(db)).rejects.toMatchObject({ code: 'MIGRATION_UNKNOWN' });
  });

  it('is refused by the CLI', async () => {
    const r = await ecology(['balances', '--json'], db.url);
    expect(r).toMatchObject({ code: 1, json: { ok: false, error: { code: 'MIGRATION_UNKNOWN' } } });
    expect(r.json.error.message).toContain('998_from_a_newer_release.sql');
  });

  it('(control) a database migrated with the code passes the same start-up check', async () => {
    const ok = await freshDb();
    await expect(checkMigrations(ok.pool)).resolves.toBeUndefined();
    expect(await ecology(['balances', '--json'], ok.url)).toMatchObject({ code: 0 });
  });
});

describe('a database migrated before checksums were recorded', () => {
  it('gets the checksums of files that equal migrations/checksums.json', async () => {
    const db = await freshDb();
    await db.pool.query('ALTER TABLE schema_migrations DROP COLUMN checksum');
    await expect(checkMigrations(db.pool)).resolves.toBeUndefined();
    expect(await migrate(db.pool)).toEqual({ applied: [] });
    const rows = (await db.pool.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY version')).rows;
    expect(rows).toEqual(listMigrations().map((m) => ({ name: m.name, checksum: m.checksum })));
  });

  it('is refused when a file differs from its locked checksum', async () => {
    const db = await freshDb();
    await db.pool.query('UPDATE schema_migrations SET checksum = NULL');
    const dir = scratchMigrations();
    appendFileSync(join(dir, '009_events_in_commit_order.sql'), '\n-- edited\n');
    await expect(migrate(db.pool, dir)).rejects.toMatchObject({ code: 'MIGRATION_CHANGED', details: { file: '009_events_in_commit_order.sql' } });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM schema_migrations WHERE checksum IS NOT NULL')).rows[0].n).toBe(0);
  });
});

describe('a database not migrated yet', () => {
  it('is refused by the worker (NOT_MIGRATED) but left to `ecology migrate` by the CLI', async () => {
    const db = await freshDb(false);
    await expect(checkMigrations(db.pool)).rejects.toMatchObject({ code: 'NOT_MIGRATED' });
    await expect(checkMigrations(db.pool, { allowPending: true })).resolves.toBeUndefined();
    await expect(startWorker(db)).rejects.toMatchObject({ code: 'NOT_MIGRATED' });
  });
});

describe('two migration files with one number (branches merged without renumbering)', () => {
  it('are refused with a typed error naming both, before anything is applied', async () => {
    const db = await freshDb();
    const dir = scratchMigrations();
    writeFileSync(join(dir, '099_from_one_branch.sql'), 'CREATE TABLE one_branch (id int);\n');
    writeFileSync(join(dir, '099_from_another.sql'), 'CREATE TABLE another_branch (id int);\n');
    await expect(migrate(db.pool, dir)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/099_from_another\.sql.*099_from_one_branch\.sql/) });
    expect((await db.pool.query(`SELECT to_regclass('another_branch') AS t`)).rows[0].t).toBeNull();
  });
});
