/**
 * The checked-in schema dump (migrations/schema.sql): what a freshly migrated database looks like,
 * as pg_dump --schema-only prints it, normalised so that the same schema always dumps the same text.
 * `npm run schema:dump` regenerates it; test/db/schemaDump.test.ts fails when it drifts from what
 * the migrations build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from './migrate';

export const SCHEMA_DUMP_FILE = join(MIGRATIONS_DIR, 'schema.sql');
export const SCHEMA_DUMP_COMMAND = 'npm run schema:dump';

/**
 * pg_dump of the newest Debian PostgreSQL ($ECOLOGY_PG_ROOT/<version>/bin, default
 * /usr/lib/postgresql), the way scripts/lib.sh's pg_bin_dir finds the server; else pg_dump on PATH.
 */
export function pgDumpPath(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.ECOLOGY_PG_ROOT ?? '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pg_dump')))
        .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    : [];
  const newest = versions.at(-1);
  return newest ? join(root, newest, 'bin', 'pg_dump') : 'pg_dump';
}

/**
 * Drops what differs between runs or pg_dump builds: the random `\restrict` key, the version
 * comments, the session SET lines; and collapses runs of blank lines.
 */
export function normaliseDump(dump: string): string {
  const kept = dump
    .split('\n')
    .filter((line) => !/^(\\(un)?restrict |-- Dumped (from|by) |SET |SELECT pg_catalog\.set_config\()/.test(line))
    .map((line) => line.trimEnd());
  return `${kept.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/** The normalised schema of the database at `url`. */
export function dumpSchema(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const out = execFileSync(pgDumpPath(env), ['--schema-only', '--no-owner', '--no-privileges', '--dbname', url], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return normaliseDump(out);
}
