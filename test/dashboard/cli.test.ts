/** `ecology dashboard` as its own process against a fresh database: serves until SIGTERM, refuses unsafe binds. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { request } from './support/http';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ecology.cjs');
const TOKEN = 'cli-test-token-0123456789abcdef';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await bootstrapGenesis(db.pool);
});
afterAll(() => db?.drop());

interface Child {
  pid: number;
  /** Resolves with the URL the command printed. */
  url: Promise<string>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

function ecology(args: string[], env: Record<string, string> = {}): Child {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, ...env };
  delete childEnv.ECOLOGY_CONFIG;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let found: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (found = resolve));
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    const m = /serving (\S+)/.exec(stderr);
    if (m) found(m[1]!);
  });
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { pid: child.pid!, url, exit, kill: (s) => child.kill(s) };
}

test('serves the dashboard against the database until SIGTERM', async () => {
  const c = ecology(['dashboard', '--port', '0', '--json']);
  const url = await Promise.race([c.url, c.exit.then((e) => Promise.reject(new Error(`exited early: ${e.stderr}`)))]);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  const summary = await request(`${url}api/summary`);
  expect(summary.status).toBe(200);
  expect(summary.json()).toMatchObject({ scrip_supply: 0, agents: 0 });
  expect((await request(`${url}api/summary`, { method: 'POST', body: '{}' })).status).toBe(405);
  c.kill('SIGTERM');
  const done = await c.exit;
  expect(done.code).toBe(0);
  expect(JSON.parse(done.stdout.trim())).toMatchObject({ ok: true, stopped: true, signal: 'SIGTERM' });
});

test('a token from the environment or a 0600 file: never in argv nor in the printed address; requests need it', async () => {
  for (const how of ['env', 'file'] as const) {
    const file = join(mkdtempSync(join(tmpdir(), 'dash-token-')), 'token');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    const c = how === 'env' ? ecology(['dashboard', '--port', '0'], { ECOLOGY_DASHBOARD_TOKEN: TOKEN }) : ecology(['dashboard', '--port', '0', '--token-file', file]);
    const url = await Promise.race([c.url, c.exit.then((e) => Promise.reject(new Error(`exited early: ${e.stderr}`)))]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(readFileSync(`/proc/${c.pid}/cmdline`, 'utf8')).not.toContain(TOKEN);
    expect((await request(`${url}api/summary`)).status).toBe(401);
    expect((await request(`${url}api/summary`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    c.kill('SIGINT');
    const done = await c.exit;
    expect(done.code).toBe(0);
    expect(done.stdout + done.stderr).not.toContain(TOKEN);
  }
});

test('refuses a token on the command line (other users see argv) and a token file others can read', async () => {
  const argv = await ecology(['dashboard', '--port', '0', '--token', TOKEN, '--json']).exit;
  expect(argv.code).toBe(1);
  expect(JSON.parse(argv.stdout.trim())).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('ECOLOGY_DASHBOARD_TOKEN') } });
  const file = join(mkdtempSync(join(tmpdir(), 'dash-token-')), 'token');
  writeFileSync(file, TOKEN, { mode: 0o644 });
  const open = await ecology(['dashboard', '--port', '0', '--token-file', file, '--json']).exit;
  expect(open.code).toBe(1);
  expect(JSON.parse(open.stdout.trim())).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('0600') } });
});

test('refuses to bind beyond loopback without a token', async () => {
  const done = await ecology(['dashboard', '--host', '0.0.0.0', '--port', '0', '--json']).exit;
  expect(done.code).toBe(1);
  expect(JSON.parse(done.stdout.trim())).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('needs a token') } });
});
