/**
 * Committed migrations are never edited: every file in migrations/ is held to the checksum recorded
 * in migrations/checksums.json, and `npm run migrations:lock` only ever adds entries for new files.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKSUMS_FILE, listMigrations, lockedChecksums, MIGRATIONS_DIR } from '../../src/db/migrate';
import { lockNewMigrations } from '../../src/db/migrationLock';

describe('migrations/checksums.json', () => {
  const locked = lockedChecksums();

  it.each(listMigrations().map((m) => [m.name, m.checksum] as const))('holds %s to its recorded checksum', (name, checksum) => {
    if (locked[name] === undefined) {
      throw new Error(`${name} is not in migrations/${CHECKSUMS_FILE}: lock NEW migration files with \`npm run migrations:lock\` (it only adds entries)`);
    }
    if (locked[name] !== checksum) {
      throw new Error(
        `${name} was edited after it was committed (sha256 ${checksum}, locked ${locked[name]}): a committed migration is never edited. ` +
          `Restore it (git checkout -- migrations/${name}) and put the change in a NEW migration file, then \`npm run migrations:lock\`.`,
      );
    }
  });

  it('lists only files that exist', () => {
    const names = new Set(listMigrations().map((m) => m.name));
    expect(Object.keys(locked).filter((n) => !names.has(n))).toEqual([]);
  });
});

describe('lockNewMigrations (npm run migrations:lock)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'migrations-lock-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a new file and never re-locks an edited one', () => {
    const before = lockedChecksums(dir);
    writeFileSync(join(dir, '099_new_thing.sql'), 'CREATE TABLE new_thing (id int);\n');
    appendFileSync(join(dir, '001_foundation.sql'), '\n-- edited after commit\n');
    const { added, changed } = lockNewMigrations(dir);
    expect(added).toEqual(['099_new_thing.sql']);
    expect(changed).toEqual(['001_foundation.sql']);
    const after = lockedChecksums(dir);
    expect(after['001_foundation.sql']).toBe(before['001_foundation.sql']);
    expect(after['099_new_thing.sql']).toBe(listMigrations(dir).find((m) => m.name === '099_new_thing.sql')!.checksum);
    // The held-to-checksum check above would catch the edit: the file no longer matches its entry.
    expect(listMigrations(dir).find((m) => m.name === '001_foundation.sql')!.checksum).not.toBe(after['001_foundation.sql']);
  });

  it('changes nothing when every file is locked', () => {
    const text = readFileSync(join(dir, CHECKSUMS_FILE), 'utf8');
    expect(lockNewMigrations(dir)).toEqual({ added: [], changed: [] });
    expect(readFileSync(join(dir, CHECKSUMS_FILE), 'utf8')).toBe(text);
  });
});
