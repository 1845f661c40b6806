/**
 * Escrow attacks: a debtor listing the debt contract it offered (so that a buyer takes the
 * creditor's claim), and artifacts that were ever listed becoming impossible to delete. In
 * test/invoke because one case needs a real custom access contract (the sandbox).
 */
import { setupWorld, show, type World } from './support';

let w: World;

beforeAll(async () => {
  w = await setupWorld();
  for (const p of ['alice', 'bob', 'carol', 'dave']) await w.principal(p);
  await w.artifact('alice', 'anyone', { type: 'contract', code: 'export function check() { return true }' });
}, 60_000);
afterAll(() => w?.close());

async function ok<T = any>(caller: string, artifactId: string, method: string, args: unknown): Promise<T> {
  const o = await w.invoke(caller, artifactId, method, args);
  if (!o.ok) throw new Error(`${artifactId}.${method} as ${caller}: ${show(o)}`);
  return o.result as T;
}

describe('a debt contract offered but not accepted', () => {
  test('the debtor cannot list it; the creditor accepts and keeps the claim; the audit passes', async () => {
    const due = new Date(Date.now() + 86_400_000).toISOString();
    const offer = await ok<{ debt_id: string }>('bob', 'genesis_debt', 'offer', { creditor: 'carol', amount: 100, due });
    // The attack: list the offered contract, let the creditor accept, then have an accomplice buy it.
    const listed = await w.invoke('bob', 'genesis_escrow', 'deposit', { artifact_id: offer.debt_id, price: 1 });
    expect(listed).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!listed.ok) expect(listed.error.message).toMatch(/offered/);
    await ok('carol', 'genesis_debt', 'accept', { debt_id: offer.debt_id });
    await w.expectAuditOk();
    expect(await w.invoke('dave', 'genesis_escrow', 'purchase', { artifact_id: offer.debt_id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ok('dave', 'genesis_debt', 'check', { debt_id: offer.debt_id })).toMatchObject({ holder: 'carol', status: 'active' });
    // Once accepted, the creditor may sell it like any other contract.
    await ok('carol', 'genesis_escrow', 'deposit', { artifact_id: offer.debt_id, price: 50 });
    await ok('dave', 'genesis_escrow', 'purchase', { artifact_id: offer.debt_id });
    expect(await ok('bob', 'genesis_debt', 'check', { debt_id: offer.debt_id })).toMatchObject({ holder: 'dave' });
    await w.expectAuditOk();
  });

  test('accept refuses an offer whose contract the debtor no longer holds', async () => {
    const due = new Date(Date.now() + 86_400_000).toISOString();
    const offer = await ok<{ debt_id: string }>('bob', 'genesis_debt', 'offer', { creditor: 'carol', amount: 30, due });
    await ok('bob', 'genesis_store', 'transfer_ownership', { id: offer.debt_id, to: 'dave' });
    const [bob, carol] = [await w.scrip('bob'), await w.scrip('carol')];
    expect(await w.invoke('carol', 'genesis_debt', 'accept', { debt_id: offer.debt_id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect([await w.scrip('bob'), await w.scrip('carol')]).toEqual([bob, carol]);
    await w.expectAuditOk();
  });
});

describe('deleting an artifact that was listed', () => {
  test('after a cancelled listing, the seller deletes it', async () => {
    await ok('alice', 'genesis_store', 'create', { id: 'lamp', type: 'data', content: { watts: 40 } });
    await ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'lamp', price: 5 });
    await ok('alice', 'genesis_escrow', 'cancel', { artifact_id: 'lamp' });
    expect(await ok('alice', 'genesis_store', 'delete', { id: 'lamp' })).toMatchObject({ id: 'lamp' });
    // The listing's history stays.
    expect(await ok('bob', 'genesis_escrow', 'check', { artifact_id: 'lamp' })).toMatchObject({ status: 'cancelled', seller: 'alice' });
    await w.expectAuditOk();
  });

  test('after a sale, the buyer deletes it', async () => {
    await ok('alice', 'genesis_store', 'create', { id: 'rug', type: 'data', content: { m2: 4 } });
    await ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'rug', price: 5 });
    await ok('bob', 'genesis_escrow', 'purchase', { artifact_id: 'rug' });
    expect(await ok('bob', 'genesis_store', 'delete', { id: 'rug' })).toMatchObject({ id: 'rug' });
    await w.expectAuditOk();
  });

  test('while listed: a clear CONFLICT (a business failure, not a database error), and the listing stands', async () => {
    await ok('alice', 'genesis_store', 'create', { id: 'vase', type: 'data', content: { l: 2 }, access_contract_id: 'anyone' });
    await ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'vase', price: 5 });
    const o = await w.invoke('alice', 'genesis_store', 'delete', { id: 'vase' });
    expect(o).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!o.ok) expect(o.error.message).toMatch(/listed/);
    expect(await ok('bob', 'genesis_escrow', 'check', { artifact_id: 'vase' })).toMatchObject({ status: 'open' });
    await ok('carol', 'genesis_escrow', 'purchase', { artifact_id: 'vase' });
    await w.expectAuditOk();
  });
});
