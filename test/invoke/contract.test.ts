/**
 * Custom access contracts: an executable artifact named as another's access_contract_id decides in
 * the sandbox; the requester pays the check's CPU, denied and failed checks included, even though
 * the operation that asked rolls back.
 */
import { contractCheckId } from '../../src/invoke/contract';
import { setupWorld, type World } from './support';

let w: World;

beforeAll(async () => {
  w = await setupWorld();
  for (const p of ['alice', 'bob', 'carol']) await w.principal(p);
  await w.artifact('alice', 'gate', { type: 'contract', code: "export function check(a) { return a.caller === 'bob' || a.caller === a.target.owner_id }" });
  await w.artifact('alice', 'readonly', { type: 'contract', code: "export function run(a) { return a.action === 'read' }" });
  await w.artifact('alice', 'broken', { type: 'contract', code: "export function check() { throw new Error('contract bug') }" });
  await w.artifact('alice', 'vault', { code: "export function run() { return 'opened' }", price: 2, access_contract_id: 'gate' });
  await w.artifact('alice', 'memo', { type: 'data', content: { v: 1 }, access_contract_id: 'readonly' });
  await w.artifact('alice', 'trap', { type: 'data', content: { v: 1 }, access_contract_id: 'broken' });
}, 60_000);
afterAll(() => w?.close());

async function checkRow(id: string) {
  return (await w.pool.query('SELECT requester_id, allowed, cpu_ms FROM contract_checks WHERE id = $1', [id])).rows[0];
}
async function spent(id: string): Promise<number | undefined> {
  const r = await w.pool.query<{ amount: string }>(`SELECT payload->>'amount' AS amount FROM resource_effects WHERE id = $1 AND payload->>'principal' IS NOT NULL`, [id]);
  return r.rows[0] ? Number(r.rows[0].amount) : undefined;
}

test('allowed: the invocation runs; the requester paid the check as well as the run', async () => {
  const bobCpu = await w.compute('bob');
  const key = w.key();
  const o = await w.invoke('bob', 'vault', 'run', {}, key);
  expect(o).toMatchObject({ ok: true, result: 'opened', invocation: { paid_to: 'alice' } });
  const id = contractCheckId(key, 'gate', 'invoke', 'vault');
  const row = await checkRow(id);
  expect(row).toMatchObject({ requester_id: 'bob', allowed: true });
  expect(row.cpu_ms).toBeGreaterThan(0);
  expect(await spent(`${id}:cpu`)).toBe(row.cpu_ms);
  expect(await w.compute('bob')).toBe(bobCpu - o.compute_charged - row.cpu_ms);
  await w.expectAuditOk();
});

test('denied: FORBIDDEN, nothing held, and the requester still pays the check (once, even on a retry)', async () => {
  const [carol, carolCpu, alice] = [await w.scrip('carol'), await w.compute('carol'), await w.scrip('alice')];
  const key = w.key();
  const o = await w.invoke('carol', 'vault', 'run', {}, key);
  expect(o).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  if (!o.ok) expect(o.error.message).toContain('denied by contract gate');
  const row = await checkRow(contractCheckId(key, 'gate', 'invoke', 'vault'));
  expect(row).toMatchObject({ requester_id: 'carol', allowed: false });
  expect(row.cpu_ms).toBeGreaterThan(0);
  expect(await w.scrip('carol')).toBe(carol);
  expect(await w.scrip('alice')).toBe(alice);
  expect(await w.compute('carol')).toBe(carolCpu - row.cpu_ms);
  expect(await w.invoke('carol', 'vault', 'run', {}, key)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' }, replayed: true });
  expect(await w.compute('carol')).toBe(carolCpu - row.cpu_ms);
  await w.expectAuditOk();
});

test('genesis operations consult the contract too (dispatch hook); a contract exporting only run is called as run', async () => {
  const carolCpu = await w.compute('carol');
  const readKey = w.key();
  expect(await w.invoke('carol', 'genesis_store', 'read', { id: 'memo' }, readKey)).toMatchObject({ ok: true, result: { content: { v: 1 } } });
  const allowed = await checkRow(contractCheckId(readKey, 'readonly', 'read', 'memo'));
  expect(allowed).toMatchObject({ requester_id: 'carol', allowed: true });

  const writeKey = w.key();
  const denied = await w.invoke('carol', 'genesis_store', 'write', { id: 'memo', type: 'data', content: { v: 2 } }, writeKey);
  expect(denied).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  const refused = await checkRow(contractCheckId(writeKey, 'readonly', 'write', 'memo'));
  expect(refused).toMatchObject({ requester_id: 'carol', allowed: false });
  // Dispatch ran the failing method twice (the second time in a savepoint); the check ran and was charged once.
  const cost = w.config.genesis.defaultComputeCost;
  expect(await w.compute('carol')).toBe(carolCpu - allowed.cpu_ms - refused.cpu_ms - 2 * cost);
  const memo = await w.pool.query(`SELECT content FROM artifacts WHERE id = 'memo'`);
  expect(memo.rows[0].content).toEqual({ v: 1 });
  await w.expectAuditOk();
});

test('a contract that throws denies, and the requester pays for the failed check', async () => {
  const bobCpu = await w.compute('bob');
  const key = w.key();
  expect(await w.invoke('bob', 'genesis_store', 'read', { id: 'trap' }, key)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  const row = await checkRow(contractCheckId(key, 'broken', 'read', 'trap'));
  expect(row).toMatchObject({ requester_id: 'bob', allowed: false });
  expect(row.cpu_ms).toBeGreaterThan(0);
  expect(await w.compute('bob')).toBe(bobCpu - row.cpu_ms - w.config.genesis.defaultComputeCost);
  await w.expectAuditOk();
});

test('a contract whose source mentions check but exports only run is still asked, as run (and charged for both tries)', async () => {
  await w.artifact('alice', 'wording', { type: 'contract', code: "// we check nothing fancy here\nexport function run(a) { return a.action === 'read' }" });
  await w.artifact('alice', 'note', { type: 'data', content: { v: 3 }, access_contract_id: 'wording' });
  const key = w.key();
  expect(await w.invoke('bob', 'genesis_store', 'read', { id: 'note' }, key)).toMatchObject({ ok: true, result: { content: { v: 3 } } });
  const row = await checkRow(contractCheckId(key, 'wording', 'read', 'note'));
  expect(row).toMatchObject({ requester_id: 'bob', allowed: true });
  expect(row.cpu_ms).toBeGreaterThan(1);
});
