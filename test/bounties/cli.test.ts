/** `ecology bounties list` as its own process against a fresh database: the table, the JSON form, --open / --closed. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { loadConfig } from '../../src/config/load';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { dispatch } from '../../src/genesis/dispatch';
import { createTestDatabase, type TestDatabase } from '../support/testDb';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ecology.cjs');

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await bootstrapGenesis(db.pool);
  const config = loadConfig({ env: {}, overrides: { database: { url: db.url } } });
  await createOperatorPrincipal(db.pool, config, { id: 'ivy', kind: 'agent', scrip: 100, compute: 1000 });
  const call = async (method: string, artifactId: string, args: unknown, key: string) =>
    expect(await dispatch({ pool: db.pool, config }, { caller: 'ivy', artifactId, method, args, key })).toMatchObject({ ok: true });
  await call('create', 'genesis_store', { id: 'ivy_check', type: 'checker', code: 'export function run() { return { pass: false, score: 0 } }', can_execute: true }, 'cli-test-1');
  await call('post', 'genesis_bounty', { id: 'kept', description: 'Still open', checker: 'ivy_check', reward: 15, deadline_seconds: 3600 }, 'cli-test-2');
  await call('post', 'genesis_bounty', { id: 'dropped', description: 'Withdrawn', checker: 'ivy_check', reward: 5, deadline_seconds: 3600 }, 'cli-test-3');
  await call('cancel', 'genesis_bounty', { bounty_id: 'dropped' }, 'cli-test-4');
}, 60_000);
afterAll(() => db?.drop());

function ecology(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url };
  delete env.ECOLOGY_CONFIG;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env }, (e, stdout, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr }));
  });
}

test('bounties list: every bounty, or only the open or the closed ones, as a table or JSON', async () => {
  const all = await ecology(['bounties', 'list', '--json']);
  expect(all.code).toBe(0);
  const parsed = JSON.parse(all.stdout) as { ok: boolean; bounties: Array<{ bounty_id: string; status: string; reward: number }> };
  expect(parsed.ok).toBe(true);
  expect(parsed.bounties.map((b) => [b.bounty_id, b.status, b.reward]).sort()).toEqual([['dropped', 'cancelled', 5], ['kept', 'open', 15]]);

  const open = await ecology(['bounties', 'list', '--open', '--json']);
  expect((JSON.parse(open.stdout) as typeof parsed).bounties.map((b) => b.bounty_id)).toEqual(['kept']);
  const closed = await ecology(['bounties', 'list', '--closed']);
  expect(closed.code).toBe(0);
  expect(closed.stdout).toMatch(/BOUNTY\s+POSTER\s+REWARD/);
  expect(closed.stdout).toMatch(/dropped\s+ivy\s+5\s+first\s+\S+\s+cancelled/);
  expect(closed.stdout).not.toContain('kept');

  const bad = await ecology(['bounties', 'frobnicate']);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('bounties list');
}, 60_000);
