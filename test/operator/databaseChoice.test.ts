/**
 * Which database scripts/services.sh (and so `npm start`) gives the ecology: ECOLOGY_DB unset means
 * a local PostgreSQL server when one is installed, else a warning and the embedded PGlite;
 * `server` insists on a server; `embedded` never tries one. "Not installed" is played by pointing
 * ECOLOGY_PG_ROOT at an empty folder; installing is skipped (--skip-install), and no service is
 * started, so this runs beside the real ones. The printed environment then drives the CLI.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, run } from './support';

jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'ecology-dbchoice-'));
const noPostgres = join(dir, 'no-postgres');
mkdirSync(noPostgres);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without any database or service settings of the caller's. */
function baseEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(DATABASE_URL|ECOLOGY_|PG)/.test(k)) env[k] = v;
  return { ...env, ECOLOGY_DATA_DIR: join(dir, 'data'), ...extra };
}

const services = (extra: NodeJS.ProcessEnv) =>
  run('bash', [join(ROOT, 'scripts', 'services.sh'), '--env', '--skip-install', '--no-docker', '--no-temporal'], baseEnv(extra));

/** `export NAME='value'` lines as an object. */
function exported(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^export ([A-Z_]+)='(.*)'$/gm)) out[m[1]!] = m[2]!;
  return out;
}

test('no PostgreSQL installed and none asked for: a warning, and the embedded PGlite', async () => {
  const r = await services({ ECOLOGY_PG_ROOT: noPostgres });
  expect(r.code).toBe(0);
  expect(exported(r.stdout)).toMatchObject({ ECOLOGY_DB: 'embedded', DATABASE_URL: '' });
  expect(r.stderr).toContain('falling back to the embedded PGlite');
  expect(r.stderr).toContain('apt-get install postgresql');

  // What run.sh does next: the printed environment, then the CLI, which opens PGlite in the data folder.
  const env = baseEnv({ ...exported(r.stdout) });
  const migrated = await run('node', [BIN, 'migrate', '--json'], env);
  expect(migrated.stderr).toBe('');
  expect(migrated.json).toMatchObject({ ok: true, applied: expect.arrayContaining(['001_foundation.sql']) });
  const audit = await run('node', [BIN, 'audit', '--json'], env);
  expect(audit.json).toMatchObject({ ok: true });
  expect(audit.code).toBe(0);
});

test('ECOLOGY_DB=server insists on a server: without one it fails and says why', async () => {
  const r = await services({ ECOLOGY_PG_ROOT: noPostgres, ECOLOGY_DB: 'server' });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('no PostgreSQL server in');
  expect(exported(r.stdout)).toEqual({});
});

test('ECOLOGY_DB=embedded never tries a server, even where one is installed', async () => {
  const r = await services({ ECOLOGY_DB: 'embedded' });
  expect(r.code).toBe(0);
  expect(exported(r.stdout)).toMatchObject({ ECOLOGY_DB: 'embedded', DATABASE_URL: '' });
  expect(r.stderr).not.toContain('start-postgres');
});

test('anything else in ECOLOGY_DB is refused', async () => {
  const r = await services({ ECOLOGY_DB: 'pglite' });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('ECOLOGY_DB must be server or embedded');
});
