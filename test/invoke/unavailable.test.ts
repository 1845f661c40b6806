/**
 * Without a reachable Docker daemon: invoking code fails SANDBOX_UNAVAILABLE with a message that
 * says so, the held price is refunded, nothing else is charged, and the rest of the ecology (genesis
 * services) keeps working.
 */
import Docker from 'dockerode';
import { invoke } from '../../src/invoke/invoke';
import { SandboxPool } from '../../src/sandbox';
import { setupWorld, type World } from './support';

let w: World;

beforeAll(async () => {
  const nowhere = new SandboxPool({ docker: new Docker({ socketPath: '/nonexistent/docker.sock' }), dockerCheckTimeoutMs: 500 });
  w = await setupWorld({ sandbox: nowhere });
  for (const p of ['alice', 'bob']) await w.principal(p);
  await w.artifact('alice', 'tool', { code: 'export function run() { return 1 }', price: 5 });
  await w.artifact('alice', 'gate', { type: 'contract', code: 'export function check() { return true }' });
  await w.artifact('alice', 'guarded', { type: 'data', content: {}, access_contract_id: 'gate' });
}, 60_000);
afterAll(() => w?.close());

test('invoking code fails SANDBOX_UNAVAILABLE, says there is no daemon, and refunds the price', async () => {
  const [bob, alice, bobCpu] = [await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob')];
  const o = await w.invoke('bob', 'tool', 'run', {});
  expect(o).toMatchObject({ ok: false, error: { code: 'SANDBOX_UNAVAILABLE' }, compute_charged: 0, invocation: { refunded: true, paid_to: null } });
  if (!o.ok) expect(o.error.message).toMatch(/No Docker daemon is reachable at unix:\/\/\/nonexistent\/docker.sock/);
  expect([await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob')]).toEqual([bob, alice, bobCpu]);
  await w.expectAuditOk();
});

test('a custom contract cannot be evaluated either: a clear error, no decision recorded', async () => {
  const o = await w.invoke('bob', 'genesis_store', 'read', { id: 'guarded' });
  expect(o).toMatchObject({ ok: false, error: { code: 'SANDBOX_UNAVAILABLE' } });
  if (!o.ok) expect(o.error.message).toMatch(/contract gate/);
  expect((await w.pool.query('SELECT count(*)::int AS n FROM contract_checks')).rows[0].n).toBe(0);
});

test('the rest of the ecology keeps running', async () => {
  expect(await w.invoke('bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 3 })).toMatchObject({ ok: true });
  expect(await w.invoke('bob', 'genesis_store', 'read', { id: 'tool' })).toMatchObject({ ok: true, result: { id: 'tool' } });
  await w.expectAuditOk();
});

test('a process with no sandbox at all refunds the same way', async () => {
  const o = await invoke({ ...w.deps, sandbox: null }, { caller: 'bob', artifactId: 'tool', method: 'run', args: {}, key: w.key() });
  expect(o).toMatchObject({ ok: false, error: { code: 'SANDBOX_UNAVAILABLE' }, invocation: { refunded: true } });
  await w.expectAuditOk();
});
