/**
 * The host bridge through the saga: ctx.read, ctx.invoke and ctx.llm act as the principal the code
 * runs for, with the same access checks and payment rules, and every cost lands on the right payer.
 */
import { grant } from '../../src/buckets/store';
import { withTransaction } from '../../src/db/tx';
import { fakeLlmOverrides, startFakeLlm, type FakeLlm } from '../support/fakeLlm';
import { setupWorld, type World } from './support';

let w: World;
let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeLlm({ responder: () => ({ content: 'a thought', usage: { prompt_tokens: 11, completion_tokens: 7 } }) });
  w = await setupWorld({ overrides: { ...fakeLlmOverrides(fake), sandbox: { maxBridgeCalls: 5 } } });
  for (const p of ['alice', 'bob', 'carol']) await w.principal(p);
  await w.artifact('alice', 'doc', { type: 'data', content: { text: 'hello' } });
  await w.artifact('carol', 'diary', { type: 'data', content: { text: 'private' }, access_contract_id: 'genesis_private' });
  await w.artifact('alice', 'reader', {
    code: `export async function run(a, ctx) {
      const doc = await ctx.read('doc');
      let diary; try { diary = await ctx.read('diary'); } catch (e) { diary = e.code; }
      return { text: doc.content.text, owner: doc.owner_id, diary };
    }`,
    price: 2,
  });
  await w.artifact('carol', 'adder', { code: 'export function run(a) { return a.x + a.y }', price: 3 });
  await w.artifact('alice', 'caller', { code: "export async function run(a, ctx) { return 10 * (await ctx.invoke('adder', 'run', { x: a.x, y: 1 })) }", price: 1 });
  await w.artifact('alice', 'firm', {
    code: "export async function run(a, ctx) { const b = await ctx.invoke('genesis_ledger', 'balance', {}); return { sum: await ctx.invoke('adder', 'run', { x: 1, y: 1 }), me: b.principal } }",
    price: 4,
    has_standing: true,
  });
  await w.artifact('alice', 'thinker', {
    code: "export async function run(a, ctx) { const r = await ctx.llm([{ role: 'user', content: 'hi there' }], { max_tokens: 20 }); return { content: r.content, tokens: r.usage.total_tokens } }",
  });
  await w.artifact('alice', 'pricey', {
    code: "export async function run(a, ctx) { try { await ctx.llm([{ role: 'user', content: 'hi' }], { model: 'gpt-4-32k', max_tokens: 20 }); return 'called' } catch (e) { return { code: e.code, message: e.message } } }",
  });
  await w.artifact('alice', 'chatty', { code: "export async function run(a, ctx) { for (let i = 0; i < 10; i++) await ctx.read('doc'); return 'read ten times' }" });
  await withTransaction(w.pool, async (c) => {
    await grant(c, { id: 'fund-firm-cpu', principal: 'firm', resource: 'compute', amount: 10_000, kind: 'test' });
  });
  // The firm pays prices of what it invokes itself: fund it.
  await w.invoke('alice', 'genesis_ledger', 'transfer', { to: 'firm', amount: 50 });
}, 60_000);
afterAll(async () => {
  await w?.close();
  await fake?.close();
});

async function chargedUnder(key: string): Promise<Record<string, number>> {
  const r = await w.pool.query<{ principal: string; total: string }>(
    `SELECT payload->>'principal' AS principal, sum((payload->>'amount')::bigint)::text AS total FROM resource_effects
     WHERE kind = 'spend:compute' AND starts_with(id, $1 || ':') GROUP BY 1`,
    [key],
  );
  return Object.fromEntries(r.rows.map((x) => [x.principal, Number(x.total)]));
}

test('ctx.read reads as the invoker, through the normal access checks, and costs what a read costs', async () => {
  const [bob, alice, bobCpu] = [await w.scrip('bob'), await w.scrip('alice'), await w.compute('bob')];
  const key = w.key();
  const o = await w.invoke('bob', 'reader', 'run', {}, key);
  expect(o).toMatchObject({ ok: true, result: { text: 'hello', owner: 'alice', diary: 'FORBIDDEN' } });
  expect(await w.scrip('bob')).toBe(bob - 2);
  expect(await w.scrip('alice')).toBe(alice + 2);
  const charged = await chargedUnder(key);
  // This run's CPU plus the configured cost of the two genesis_store.read calls (the refused one too).
  expect(charged).toEqual({ bob: o.compute_charged + 2 * w.config.genesis.defaultComputeCost });
  expect(await w.compute('bob')).toBe(bobCpu - charged.bob);
  const ops = await w.pool.query('SELECT caller_id, ok FROM operations WHERE starts_with(key, $1) ORDER BY key', [`${key}:read:`]);
  expect(ops.rows).toEqual([{ caller_id: 'bob', ok: true }, { caller_id: 'bob', ok: false }]);
  await w.expectAuditOk();
});

test('ctx.invoke: a nested invocation pays its own price and CPU by the same rules', async () => {
  const [bob, alice, carol] = [await w.scrip('bob'), await w.scrip('alice'), await w.scrip('carol')];
  const key = w.key();
  // The nested price and CPU are spent in bob's name: bob grants them.
  const o = await w.invoke('bob', 'caller', 'run', { x: 4 }, key, { allowance: { scrip: 3, compute: 10_000 } });
  expect(o).toMatchObject({ ok: true, result: 50, invocation: { paid_to: 'alice', payer: 'bob' } });
  expect(await w.scrip('bob')).toBe(bob - 1 - 3);
  expect(await w.scrip('alice')).toBe(alice + 1);
  expect(await w.scrip('carol')).toBe(carol + 3);
  const nested = await w.pool.query('SELECT key, invoker_id, payer_id, depth, status FROM invocations WHERE starts_with(key, $1)', [`${key}:call:`]);
  expect(nested.rows).toEqual([{ key: `${key}:call:1`, invoker_id: 'bob', payer_id: 'bob', depth: 1, status: 'paid' }]);
  const charged = await chargedUnder(key);
  expect(Object.keys(charged)).toEqual(['bob']);
  expect(charged.bob).toBeGreaterThan(o.compute_charged);
  await w.expectAuditOk();
});

test('code with standing acts as itself: it pays the prices and CPU of what it calls', async () => {
  const [bob, alice, carol, firm, bobCpu, firmCpu] = [
    await w.scrip('bob'),
    await w.scrip('alice'),
    await w.scrip('carol'),
    await w.scrip('firm'),
    await w.compute('bob'),
    await w.compute('firm'),
  ];
  const key = w.key();
  const o = await w.invoke('bob', 'firm', 'run', {}, key);
  expect(o).toMatchObject({ ok: true, result: { sum: 2, me: 'firm' }, invocation: { payer: 'firm', paid_to: 'alice' } });
  expect(await w.scrip('bob')).toBe(bob - 4);
  expect(await w.scrip('alice')).toBe(alice + 4);
  expect(await w.scrip('firm')).toBe(firm - 3);
  expect(await w.scrip('carol')).toBe(carol + 3);
  expect(await w.compute('bob')).toBe(bobCpu);
  const charged = await chargedUnder(key);
  expect(Object.keys(charged)).toEqual(['firm']);
  expect(await w.compute('firm')).toBe(firmCpu - charged.firm);
  await w.expectAuditOk();
});

test('ctx.llm: one call through the LLM client, tokens and dollars charged to the payer, replayed on a repeat', async () => {
  const calls = fake.calls.length;
  const tokens = await w.llmTokens('bob');
  const key = w.key();
  const o = await w.invoke('bob', 'thinker', 'run', {}, key, { allowance: { llm_dollars: 1 } });
  expect(o).toMatchObject({ ok: true, result: { content: 'a thought', tokens: 18 } });
  expect(fake.calls.length).toBe(calls + 1);
  expect(fake.calls[calls].body.messages).toEqual([{ role: 'user', content: 'hi there' }]);
  expect(fake.calls[calls].body.max_tokens).toBe(20);
  expect(await w.llmTokens('bob')).toBe(tokens - 18);
  const rec = await w.pool.query('SELECT payer_id, purpose, status, cost_micros FROM llm_calls WHERE key = $1', [`${key}:llm:1`]);
  expect(rec.rows).toEqual([{ payer_id: 'bob', purpose: 'sandbox', status: 'succeeded', cost_micros: expect.any(Number) }]);
  expect(rec.rows[0].cost_micros).toBeGreaterThan(0);
  // The whole invocation replays: no second provider call, no second charge.
  expect(await w.invoke('bob', 'thinker', 'run', {}, key, { allowance: { llm_dollars: 1 } })).toMatchObject({ ok: true, replayed: true, result: { content: 'a thought' } });
  expect(fake.calls.length).toBe(calls + 1);
  expect(await w.llmTokens('bob')).toBe(tokens - 18);
  await w.expectAuditOk();
});

test('ctx.llm naming a model without a configured price is refused, naming the priced models; nothing is sent', async () => {
  const calls = fake.calls.length;
  const o = await w.invoke('bob', 'pricey', 'run', {});
  expect(o).toMatchObject({ ok: true, result: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/gpt-4-32k.*has no configured price.*priced models: .*gpt-4o-mini/) } });
  expect(fake.calls.length).toBe(calls);
  await w.expectAuditOk();
});

test('a run may make only so many bridge calls', async () => {
  const o = await w.invoke('bob', 'chatty', 'run', {});
  expect(o).toMatchObject({ ok: false, error: { code: 'CODE_THREW' }, invocation: { refunded: false } });
  if (!o.ok) expect(o.error.message).toContain('QUOTA_EXCEEDED');
  await w.expectAuditOk();
});
