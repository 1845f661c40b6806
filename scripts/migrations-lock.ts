/**
 * `npm run migrations:lock`: adds the checksum of each NEW migration file to
 * migrations/checksums.json (existing entries are never changed). Exits 1 naming any committed
 * migration whose file no longer matches its entry.
 */
import { lockNewMigrations } from '../src/db/migrationLock';

const { added, changed } = lockNewMigrations();
process.stdout.write(added.length ? `locked ${added.join(', ')}\n` : 'no new migration files\n');
if (changed.length) {
  process.stderr.write(
    `ERROR: ${changed.join(', ')} differ from their locked checksum: a committed migration is never edited. ` +
      'Restore the file (git checkout -- migrations/<file>) and put the change in a NEW migration file.\n',
  );
  process.exit(1);
}
