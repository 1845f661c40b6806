/**
 * migrations/schema.sql is what the migrations build: a freshly migrated database dumps to exactly
 * the checked-in text (regenerate it with `npm run schema:dump` after adding a migration).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpSchema, SCHEMA_DUMP_COMMAND, SCHEMA_DUMP_FILE } from '../../src/db/schemaDump';
import { createTestDatabase, type TestDatabase } from '../support/testDb';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

function diff(expected: string, actual: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'schema-diff-'));
  try {
    writeFileSync(join(dir, 'actual.sql'), actual);
    return spawnSync('diff', ['-u', SCHEMA_DUMP_FILE, join(dir, 'actual.sql')], { encoding: 'utf8' }).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('migrations/schema.sql', () => {
  it('equals the schema of a freshly migrated database', () => {
    const expected = readFileSync(SCHEMA_DUMP_FILE, 'utf8');
    const actual = dumpSchema(db.url);
    if (actual !== expected) {
      throw new Error(`migrations/schema.sql differs from what the migrations build; regenerate it with \`${SCHEMA_DUMP_COMMAND}\`:\n${diff(expected, actual)}`);
    }
  });

  it('(control) a schema change shows in the dump', async () => {
    await db.pool.query('CREATE TABLE planted_by_the_test (id int)');
    try {
      const dump = dumpSchema(db.url);
      expect(dump).not.toBe(readFileSync(SCHEMA_DUMP_FILE, 'utf8'));
      expect(diff(readFileSync(SCHEMA_DUMP_FILE, 'utf8'), dump)).toContain('+CREATE TABLE public.planted_by_the_test');
    } finally {
      await db.pool.query('DROP TABLE planted_by_the_test');
    }
  });
});
