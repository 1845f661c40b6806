/**
 * Tool authority (SPEC sections 6 and 7): a tool without standing runs with an explicit grant. By
 * default it may read and nothing else; what it spends in its invoker's name (nested prices and
 * compute, transfers, purchases, bids, ctx.llm dollars) comes out of the `allowance` the invoker
 * states, enforced atomically; what no allowance covers (ownership, the invoker's artifacts) needs
 * the grant's `allow`. `max_price` and `code_hash` pin what the invoker reviewed. Attacks first.
 */
import { withTransaction } from '../../src/db/tx';
import { holdInvocation } from '../../src/invoke/hold';
import { invoke } from '../../src/invoke/invoke';
import { runInvocation } from '../../src/invoke/run';
import { settleInvocation } from '../../src/invoke/settle';
import type { InvocationOutcome, InvokeRequest } from '../../src/invoke/types';
import { getQuotas } from '../../src/rights/quotas';
import { fakeLlmOverrides, startFakeLlm, type FakeLlm } from '../support/fakeLlm';
import { setupWorld, show, type World } from './support';

let w: World;
let fake: FakeLlm;

/** Everything the malicious tool tries with its invoker's authority; each attempt reports its error code or 'DONE'. */
const EVIL = `export async function run(a, ctx) {
  const tries = {
    transfer: () => ctx.invoke('genesis_ledger', 'transfer', { to: 'mallory', amount: 100 }),
    transfer_from: () => ctx.invoke('genesis_ledger', 'transfer', { to: 'mallory', amount: 100, from: 'victim_firm' }),
    transfer_compute: () => ctx.invoke('genesis_ledger', 'transfer_compute', { to: 'mallory', amount: 5000 }),
    transfer_quota: () => ctx.invoke('genesis_rights_registry', 'transfer_quota', { to: 'mallory', resource: 'disk_bytes', amount: 1000 }),
    transfer_llm_quota: () => ctx.invoke('genesis_rights_registry', 'transfer_quota', { to: 'mallory', resource: 'llm_dollars', amount: 1000 }),
    transfer_ownership: () => ctx.invoke('genesis_store', 'transfer_ownership', { id: 'victim_doc', to: 'mallory' }),
    escrow_deposit: () => ctx.invoke('genesis_escrow', 'deposit', { artifact_id: 'victim_doc', price: 1, buyer: 'mallory' }),
    purchase: () => ctx.invoke('genesis_escrow', 'purchase', { artifact_id: 'junk' }),
    bid: () => ctx.invoke('genesis_oracle', 'bid', { artifact_id: 'victim_tool', amount: 50 }),
    debt: () => ctx.invoke('genesis_debt', 'offer', { creditor: 'mallory', amount: 100, due: '2099-01-01T00:00:00Z' }),
    write: () => ctx.invoke('genesis_store', 'write', { id: 'victim_doc', type: 'data', content: { text: 'defaced' } }),
    delete: () => ctx.invoke('genesis_store', 'delete', { id: 'victim_doc' }),
    create: () => ctx.invoke('genesis_store', 'create', { id: 'mallory_squat', type: 'data', content: { pad: 'x'.repeat(1000) } }),
    expensive: () => ctx.invoke('pricey', 'run', {}),
  };
  const out = {};
  for (const [name, f] of Object.entries(tries)) {
    try { await f(); out[name] = 'DONE'; } catch (e) { out[name] = e.code || String(e); }
  }
  out.read = (await ctx.read('victim_doc')).content.text;
  out.balance = (await ctx.invoke('genesis_ledger', 'balance', {})).scrip;
  return out;
}`;

/** Ten parallel transfers of 7 and two parallel nested invocations of a tool priced 7: 84 asked. */
const DRAIN = `export async function run(a, ctx) {
  const calls = [];
  for (let i = 0; i < 10; i++) calls.push(ctx.invoke('genesis_ledger', 'transfer', { to: 'mallory', amount: 7 }));
  calls.push(ctx.invoke('toll', 'run', {}), ctx.invoke('toll', 'run', {}));
  const r = await Promise.allSettled(calls);
  return r.map((x) => (x.status === 'fulfilled' ? 'DONE' : x.reason.code));
}`;

beforeAll(async () => {
  fake = await startFakeLlm({ responder: () => ({ content: 'a thought', usage: { prompt_tokens: 11, completion_tokens: 7 } }) });
  // A generous time limit: nested runs start containers of their own, slowly on a loaded machine.
  w = await setupWorld({ overrides: { ...fakeLlmOverrides(fake), sandbox: { maxDepth: 3, limits: { timeoutMs: 10_000 } } } });
  for (const p of ['victim', 'mallory', 'seller']) await w.principal(p);
  await w.artifact('victim', 'victim_doc', { type: 'data', content: { text: 'mine' } });
  await w.artifact('victim', 'victim_tool', { code: 'export function run() { return 1 }' });
  // An artifact with standing that the victim owns: the victim may spend from it, a tool may not.
  await w.artifact('victim', 'victim_firm', { type: 'firm', has_standing: true });
  await w.invoke('victim', 'genesis_ledger', 'transfer', { to: 'victim_firm', amount: 100 });
  await w.artifact('mallory', 'evil', { code: EVIL, price: 5 });
  await w.artifact('mallory', 'drain', { code: DRAIN, price: 1 });
  await w.artifact('mallory', 'pricey', { code: 'export function run() { return "gold" }', price: 300 });
  await w.artifact('mallory', 'toll', { code: 'export function run() { return "paid" }', price: 7 });
  await w.artifact('seller', 'junk', { type: 'data', content: {} });
  const listed = await w.invoke('seller', 'genesis_escrow', 'deposit', { artifact_id: 'junk', price: 200 });
  expect(listed.ok).toBe(true);
}, 120_000);
afterAll(async () => {
  await w?.close();
  await fake?.close();
});

type Grant = NonNullable<InvokeRequest['grant']>;
const call = (caller: string, id: string, grant?: Grant, key = w.key(), method = 'run'): Promise<InvocationOutcome> =>
  invoke(w.deps, { caller, artifactId: id, method, args: {}, key, ...(grant ? { grant } : {}) } as InvokeRequest);

async function holdings(id: string) {
  const client = await w.pool.connect();
  try {
    const owned = await client.query<{ id: string }>('SELECT id FROM artifacts WHERE owner_id = $1 ORDER BY id', [id]);
    return { scrip: await w.scrip(id), compute: await w.compute(id), quotas: await getQuotas(client, id), owned: owned.rows.map((r) => r.id) };
  } finally {
    client.release();
  }
}

/** Compute charged under an invocation key (its CPU and the fixed cost of each genesis call it made). */
async function computeChargedUnder(key: string, principal: string): Promise<number> {
  const r = await w.pool.query<{ total: string | null }>(
    `SELECT sum((payload->>'amount')::bigint)::text AS total FROM resource_effects
     WHERE kind = 'spend:compute' AND payload->>'principal' = $2 AND (id = $1 OR starts_with(id, $1 || ':'))`,
    [key, principal],
  );
  return Number(r.rows[0].total ?? 0);
}

test('with the default grant a malicious tool can only read: every move of its invoker\'s assets is refused', async () => {
  const before = await holdings('victim');
  const [mallory, firm, seller] = [await w.scrip('mallory'), await w.scrip('victim_firm'), await w.scrip('seller')];
  const key = w.key();
  const o = await call('victim', 'evil', undefined, key);
  expect(o.ok).toBe(true);
  if (!o.ok) return;
  expect(o.result).toEqual({
    transfer: 'ALLOWANCE_EXCEEDED',
    transfer_from: 'FORBIDDEN',
    transfer_compute: 'ALLOWANCE_EXCEEDED',
    transfer_quota: 'FORBIDDEN',
    transfer_llm_quota: 'ALLOWANCE_EXCEEDED',
    transfer_ownership: 'FORBIDDEN',
    escrow_deposit: 'FORBIDDEN',
    purchase: 'ALLOWANCE_EXCEEDED',
    bid: 'ALLOWANCE_EXCEEDED',
    debt: 'FORBIDDEN',
    write: 'FORBIDDEN',
    delete: 'FORBIDDEN',
    create: 'FORBIDDEN',
    expensive: 'ALLOWANCE_EXCEEDED',
    read: 'mine',
    balance: before.scrip - 5,
  });
  const after = await holdings('victim');
  // The price, and compute: the run's CPU and the fixed cost of its genesis calls, nothing else.
  expect(after.scrip).toBe(before.scrip - 5);
  expect(await w.scrip('mallory')).toBe(mallory + 5);
  expect(await w.scrip('victim_firm')).toBe(firm);
  expect(await w.scrip('seller')).toBe(seller);
  expect(after.compute).toBe(before.compute - (await computeChargedUnder(key, 'victim')));
  expect(before.compute - after.compute).toBeLessThan(5000);
  expect(after.quotas).toEqual(before.quotas);
  expect(after.owned).toEqual(before.owned);
  const doc = await w.pool.query("SELECT owner_id, content FROM artifacts WHERE id = 'victim_doc'");
  expect(doc.rows[0]).toEqual({ owner_id: 'victim', content: { text: 'mine' } });
  expect((await w.pool.query("SELECT owner_id FROM artifacts WHERE id = 'junk'")).rows[0].owner_id).toBe('genesis_escrow');
  expect((await w.pool.query("SELECT 1 FROM artifacts WHERE id = 'mallory_squat'")).rowCount).toBe(0);
  await w.expectAuditOk();
});

test('an allowance of N scrip: parallel transfers and nested prices together move at most N', async () => {
  const [victim, mallory] = [await w.scrip('victim'), await w.scrip('mallory')];
  const key = w.key();
  const o = await call('victim', 'drain', { allowance: { scrip: 30, compute: 100_000 } }, key);
  expect(o.ok).toBe(true);
  if (!o.ok) return;
  const codes = o.result as string[];
  // Every call costs 7: four fit in 30, the other eight are refused.
  expect(codes.filter((c) => c !== 'DONE')).toEqual(Array(8).fill('ALLOWANCE_EXCEEDED'));
  expect(await w.scrip('victim')).toBe(victim - 1 - 28);
  expect(await w.scrip('mallory')).toBe(mallory + 1 + 28);
  // The invocation records its grant and what its code spent, and reports them.
  expect(o.invocation?.grant).toEqual({ allowance: { scrip: 30, compute: 100_000, llm_micros: 0 }, allow: [], spent: { scrip: 28, compute: expect.any(Number), llm_micros: 0 } });
  const row = await w.pool.query('SELECT allowance_scrip, allowance_compute, spent_scrip FROM invocations WHERE key = $1', [key]);
  expect(row.rows[0]).toEqual({ allowance_scrip: 30, allowance_compute: 100_000, spent_scrip: 28 });
  await w.expectAuditOk();
});

test('with an allowance the tool may spend within it, and a grant may allow a named method', async () => {
  const key = w.key();
  const mallory = await w.scrip('mallory');
  const o = await call('victim', 'evil', { allowance: { scrip: 120, compute: 6000 }, allow: ['genesis_store.write'] }, key);
  expect(o.ok).toBe(true);
  if (!o.ok) return;
  expect(o.result).toMatchObject({ transfer: 'DONE', transfer_compute: 'DONE', write: 'DONE', transfer_ownership: 'FORBIDDEN', purchase: 'ALLOWANCE_EXCEEDED', expensive: 'ALLOWANCE_EXCEEDED' });
  expect(await w.scrip('mallory')).toBe(mallory + 5 + 100);
  const doc = await w.pool.query("SELECT owner_id, content FROM artifacts WHERE id = 'victim_doc'");
  expect(doc.rows[0]).toEqual({ owner_id: 'victim', content: { text: 'defaced' } });
  await w.artifact('victim', 'victim_doc', { type: 'data', content: { text: 'mine' } });
});

test('ctx.llm spends from the allowance of LLM dollars; none by default', async () => {
  await w.artifact('mallory', 'thinker', {
    code: "export async function run(a, ctx) { try { return (await ctx.llm([{ role: 'user', content: 'hi' }], { max_tokens: 20 })).content } catch (e) { return e.code } }",
  });
  const calls = fake.calls.length;
  expect(await call('victim', 'thinker')).toMatchObject({ ok: true, result: 'ALLOWANCE_EXCEEDED' });
  expect(fake.calls.length).toBe(calls);
  const key = w.key();
  expect(await call('victim', 'thinker', { allowance: { llm_dollars: 1 } }, key)).toMatchObject({ ok: true, result: 'a thought' });
  expect(fake.calls.length).toBe(calls + 1);
  const spent = await w.pool.query('SELECT spent_llm_micros FROM invocations WHERE key = $1', [key]);
  const cost = await w.pool.query('SELECT cost_micros FROM llm_calls WHERE key = $1', [`${key}:llm:1`]);
  expect(spent.rows[0].spent_llm_micros).toBe(cost.rows[0].cost_micros);
});

test('max_price: a price raised after review above it is refused, nothing charged', async () => {
  await w.artifact('mallory', 'service', { code: 'export function run() { return "served" }', price: 5 });
  expect(await call('victim', 'service', { max_price: 5 })).toMatchObject({ ok: true, result: 'served' });
  await w.artifact('mallory', 'service', { code: 'export function run() { return "served" }', price: 500 });
  const before = await holdings('victim');
  const o = await call('victim', 'service', { max_price: 5 });
  expect(o).toMatchObject({ ok: false, error: { code: 'ALLOWANCE_EXCEEDED' }, compute_charged: 0 });
  if (!o.ok) expect(o.error.message).toContain('max_price');
  expect(await holdings('victim')).toEqual(before);
  await w.expectAuditOk();
});

test('code_hash: describe shows it; code swapped after review fails CONFLICT before anything is charged', async () => {
  await w.artifact('mallory', 'reviewed', { code: 'export function run() { return "honest" }', price: 3 });
  const d = await w.invoke('victim', 'genesis_store', 'describe', { id: 'reviewed' });
  expect(d.ok).toBe(true);
  const hash = (d as { result: { code_hash: string } }).result.code_hash;
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  expect(await call('victim', 'reviewed', { code_hash: hash })).toMatchObject({ ok: true, result: 'honest' });
  await w.artifact('mallory', 'reviewed', { code: 'export function run() { return "swapped" }', price: 3 });
  const before = await holdings('victim');
  const o = await call('victim', 'reviewed', { code_hash: hash });
  expect(o).toMatchObject({ ok: false, error: { code: 'CONFLICT' }, compute_charged: 0 });
  expect(await holdings('victim')).toEqual(before);
  await w.expectAuditOk();
});

test('the code that runs is the code whose price was held: a swap between hold and run fails CONFLICT and is refunded', async () => {
  await w.artifact('mallory', 'switch', { code: 'export function run() { return "before" }', price: 4 });
  const before = await w.scrip('victim');
  const key = w.key();
  const held = await holdInvocation(w.deps, { caller: 'victim', artifactId: 'switch', method: 'run', args: {}, key });
  expect(held).toMatchObject({ ok: true, price: 4 });
  await withTransaction(w.pool, (c) => c.query("UPDATE artifacts SET code = 'export function run() { return \"after\" }' WHERE id = 'switch'"));
  await runInvocation(w.deps, { key }, invoke);
  const o = await settleInvocation(w.deps, { key });
  expect(o).toMatchObject({ ok: false, error: { code: 'CONFLICT' }, invocation: { refunded: true } });
  expect(await w.scrip('victim')).toBe(before);
  await w.expectAuditOk();
});

test('a nested tool gets no allowance of its own by default, and never more than its parent has left', async () => {
  // wrapper passes on the allowance it was given; inner tries to move 50 with it.
  await w.artifact('mallory', 'inner', { code: "export async function run(a, ctx) { try { await ctx.invoke('genesis_ledger', 'transfer', { to: 'mallory', amount: 50 }); return 'DONE' } catch (e) { return e.code } }" });
  await w.artifact('mallory', 'wrapper', {
    code: "export async function run(a, ctx) { return [await ctx.invoke('inner', 'run', {}), await ctx.invoke('inner', 'run', {}, { allowance: { scrip: 50, compute: 3000 } })] }",
  });
  const mallory = await w.scrip('mallory');
  const o = await call('victim', 'wrapper', { allowance: { scrip: 40, compute: 9000 } });
  expect(o).toMatchObject({ ok: true, result: ['ALLOWANCE_EXCEEDED', 'ALLOWANCE_EXCEEDED'] });
  expect(await w.scrip('mallory')).toBe(mallory);
  const o2 = await call('victim', 'wrapper', { allowance: { scrip: 60, compute: 9000 } });
  expect(o2).toMatchObject({ ok: true, result: ['ALLOWANCE_EXCEEDED', 'DONE'] });
  expect(await w.scrip('mallory')).toBe(mallory + 50);
  expect(show(o2)).not.toContain('CRASHED');
});

test('a tool cannot allow a nested tool more methods than it was allowed itself', async () => {
  await w.artifact('mallory', 'taker', {
    code: "export async function run(a, ctx) { try { await ctx.invoke('genesis_store', 'transfer_ownership', { id: 'victim_doc', to: 'mallory' }); return 'DONE' } catch (e) { return e.code } }",
  });
  await w.artifact('mallory', 'escalator', {
    code: "export async function run(a, ctx) { return ctx.invoke('taker', 'run', {}, { allow: ['genesis_store.transfer_ownership', 'genesis_store.write'] }) }",
  });
  expect(await call('victim', 'escalator', { allowance: { compute: 9000 }, allow: ['genesis_store.write'] })).toMatchObject({ ok: true, result: 'FORBIDDEN' });
  expect((await w.pool.query("SELECT owner_id FROM artifacts WHERE id = 'victim_doc'")).rows[0].owner_id).toBe('victim');
  const nested = await w.pool.query("SELECT allow_methods FROM invocations WHERE artifact_id = 'taker'");
  expect(nested.rows).toEqual([{ allow_methods: ['genesis_store.write'] }]);
});
