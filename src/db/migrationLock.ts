import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKSUMS_FILE, listMigrations, lockedChecksums, MIGRATIONS_DIR } from './migrate';

/**
 * Records the checksum of every migration file not yet in migrations/checksums.json. Entries that
 * exist are never changed: a committed migration is never edited, and a file that no longer matches
 * its entry is reported (in `changed`) rather than re-locked.
 */
export function lockNewMigrations(dir = MIGRATIONS_DIR): { added: string[]; changed: string[] } {
  const locked = lockedChecksums(dir);
  const added: string[] = [];
  const changed: string[] = [];
  for (const m of listMigrations(dir)) {
    if (locked[m.name] === undefined) {
      locked[m.name] = m.checksum;
      added.push(m.name);
    } else if (locked[m.name] !== m.checksum) {
      changed.push(m.name);
    }
  }
  if (added.length) {
    const sorted = Object.fromEntries(Object.entries(locked).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(join(dir, CHECKSUMS_FILE), `${JSON.stringify(sorted, null, 2)}\n`);
  }
  return { added, changed };
}
