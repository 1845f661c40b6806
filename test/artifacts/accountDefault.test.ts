/**
 * An account (standing, not executable) created without naming a contract is owned by its creator
 * under genesis_owner_only, so the creator can move scrip out of it; agents stay self-owned.
 */
import { setupFoundation, type Foundation } from '../support/harness';

let f: Foundation;
beforeAll(async () => {
  f = await setupFoundation({ genesis: { principalFee: 0 } });
  await f.principal('alice', { scrip: 1000, compute: 10_000 });
});
afterAll(() => f.close());
afterEach(() => f.expectAuditOk());

const contractOf = async (id: string) => (await f.pool.query(`SELECT access_contract_id FROM artifacts WHERE id = $1`, [id])).rows[0].access_contract_id;

test('an account made without a contract is the creator’s: scrip sent to it can be moved out again', async () => {
  await f.ok('alice', 'genesis_store', 'create', { id: 'alice_fund', type: 'account', has_standing: true });
  expect(await contractOf('alice_fund')).toBe('genesis_owner_only');
  await f.ok('alice', 'genesis_ledger', 'transfer', { to: 'alice_fund', amount: 300 });
  expect(await f.scrip('alice_fund')).toBe(300);
  await f.ok('alice', 'genesis_ledger', 'transfer', { from: 'alice_fund', to: 'alice', amount: 120 });
  expect([await f.scrip('alice_fund'), await f.scrip('alice')]).toEqual([180, 820]);
  // only its owner: nobody else may spend from it
  await f.principal('mallory', { compute: 10_000 });
  await f.fails('FORBIDDEN', 'mallory', 'genesis_ledger', 'transfer', { from: 'alice_fund', to: 'mallory', amount: 1 });
});

test('an agent made without a contract still controls itself; a named contract is kept', async () => {
  await f.ok('alice', 'genesis_store', 'create', { id: 'alice_child', type: 'agent', has_standing: true, can_execute: true });
  expect(await contractOf('alice_child')).toBe('genesis_self_owned');
  await f.ok('alice', 'genesis_store', 'create', { id: 'alice_vault', type: 'account', has_standing: true, access_contract_id: 'genesis_self_owned' });
  expect(await contractOf('alice_vault')).toBe('genesis_self_owned');
});
