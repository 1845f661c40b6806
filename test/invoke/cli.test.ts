/** `ecology invoke` on an executable artifact runs it in the sandbox through the saga. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setupWorld, type World } from './support';

const ROOT = join(__dirname, '..', '..');
let w: World;

beforeAll(async () => {
  w = await setupWorld();
  for (const p of ['alice', 'bob']) await w.principal(p);
  await w.artifact('alice', 'greeter', { code: 'export function run(a) { return "hello " + a.name }\nexport function shout(a) { return a.name.toUpperCase() }', price: 3 });
}, 60_000);
afterAll(() => w?.close());

function ecology(args: string[]): Promise<{ code: number; json: any; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: w.db.url };
    delete env.ECOLOGY_CONFIG;
    execFile(process.execPath, [join(ROOT, 'bin', 'ecology.cjs'), ...args], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      } catch {
        json = undefined;
      }
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, json, stderr });
    });
  });
}

test('invoke runs the code, pays the owner and reports the invocation; a failure exits 1', async () => {
  const [bob, alice] = [await w.scrip('bob'), await w.scrip('alice')];
  const ok = await ecology(['invoke', '--as', 'bob', 'greeter', 'shout', '{"name":"ada"}', '--key', 'cli-inv-1', '--json']);
  expect(ok).toMatchObject({ code: 0, json: { ok: true, result: 'ADA', key: 'cli-inv-1', replayed: false, invocation: { price: 3, paid_to: 'alice', payer: 'bob' } } });
  expect(ok.json.compute_charged).toBeGreaterThan(0);
  expect([await w.scrip('bob'), await w.scrip('alice')]).toEqual([bob - 3, alice + 3]);
  const bad = await ecology(['invoke', '--as', 'bob', 'greeter', 'shout', '{}', '--json']);
  expect(bad).toMatchObject({ code: 1, json: { ok: false, error: { code: 'CODE_THREW' }, invocation: { refunded: true } } });
  expect([await w.scrip('bob'), await w.scrip('alice')]).toEqual([bob - 3, alice + 3]);
  await w.expectAuditOk();
}, 90_000);

test('invoke --grant states what the code may do in the principal\'s name: max_price above the price refuses, nothing charged', async () => {
  const bob = await w.scrip('bob');
  const refused = await ecology(['invoke', '--as', 'bob', 'greeter', 'run', '{"name":"ada"}', '--grant', '{"max_price":2}', '--json']);
  expect(refused).toMatchObject({ code: 1, json: { ok: false, error: { code: 'ALLOWANCE_EXCEEDED' }, compute_charged: 0 } });
  expect(await w.scrip('bob')).toBe(bob);
  const ok = await ecology(['invoke', '--as', 'bob', 'greeter', 'run', '{"name":"ada"}', '--grant', '{"max_price":3,"allowance":{"scrip":1}}', '--json']);
  expect(ok).toMatchObject({ code: 0, json: { ok: true, result: 'hello ada' } });
  expect(await w.scrip('bob')).toBe(bob - 3);
}, 90_000);
