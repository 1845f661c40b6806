/**
 * What the test/db files share: throw-away databases and scratch copies of migrations/ (dropped and
 * removed by cleanUp, in afterAll), and the `ecology` CLI run as a separate process.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTIONS_FILE, MIGRATIONS_DIR } from '../../src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/testDb';

const ROOT = join(__dirname, '..', '..');

export function scratchSpace() {
  const dbs: TestDatabase[] = [];
  const dirs: string[] = [];
  return {
    /** A new database, migrated unless `migrated` is false. */
    async freshDb(migrated = true): Promise<TestDatabase> {
      const db = await createTestDatabase({ migrate: migrated });
      dbs.push(db);
      return db;
    },
    /** A scratch copy of migrations/, without the functions file when `functions` is false. */
    scratchMigrations(opts: { functions?: boolean } = {}): string {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
      dirs.push(dir);
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      if (opts.functions === false) rmSync(join(dir, FUNCTIONS_FILE));
      return dir;
    },
    async cleanUp(): Promise<void> {
      await Promise.all(dbs.map((d) => d.drop()));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** The `ecology` CLI, a separate process, on `url`; `json` is its last line parsed (else its output). */
export function ecology(args: string[], url: string): Promise<{ code: number; json: any }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url };
    delete env.ECOLOGY_CONFIG;
    execFile(process.execPath, [join(ROOT, 'bin', 'ecology.cjs'), ...args], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      } catch {
        json = stdout;
      }
      resolve({ code: err ? Number(err.code ?? -1) : 0, json });
    });
  });
}
