/** `ecology dashboard` as its own process against a fresh database: serves until SIGTERM, refuses unsafe binds. */
import { spawn } from 'node:child_process';
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
  return { url, exit, kill: (s) => child.kill(s) };
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

test('with --token the printed address carries it and requests need it', async () => {
  const c = ecology(['dashboard', '--port', '0', '--token', TOKEN]);
  const url = await c.url;
  expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?token=${TOKEN}$`));
  const base = url.replace(/\?.*$/, '');
  expect((await request(`${base}api/summary`)).status).toBe(401);
  expect((await request(url)).status).toBe(200);
  c.kill('SIGINT');
  expect((await c.exit).code).toBe(0);
});

test('refuses to bind beyond loopback without a token', async () => {
  const done = await ecology(['dashboard', '--host', '0.0.0.0', '--port', '0', '--json']).exit;
  expect(done.code).toBe(1);
  expect(JSON.parse(done.stdout.trim())).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('needs a token') } });
});
