/**
 * An isolated world (world.isolation 'isolated', the experiment's control arm), attacked: agent B
 * tries every path to A's tool (an action's invoke, ctx.invoke from its own code, ctx.read,
 * genesis_store read/describe/list, buying it, being given it) and every trade. Each is refused
 * FORBIDDEN (reason 'isolated'), nothing moves; the same calls in a society world succeed, so the
 * test can fail. B's own tools and the genesis services still work.
 */
import { readPromptFacts } from '../../src/agents/promptFacts';
import { marketPrompt } from '../../src/agents/marketView';
import type { EcologyConfig } from '../../src/config/schema';
import { dispatch } from '../../src/genesis/dispatch';
import { invoke } from '../../src/invoke/invoke';
import { setupWorld, show, type World } from '../invoke/support';

let w: World;
let society: EcologyConfig;
const A = 'iso_a';
const B = 'iso_b';
const HELPER = 'iso_a_helper';
const COMPOSER = 'iso_b_composer';
const READER = 'iso_b_reader';
const OWN = 'iso_b_own';

beforeAll(async () => {
  w = await setupWorld({ overrides: { world: { isolation: 'isolated' } } });
  society = { ...w.config, world: { isolation: 'society' } };
  await w.principal(A, { scrip: 1000 });
  await w.principal(B, { scrip: 1000 });
  await w.artifact(A, HELPER, { code: 'export async function run(args) { return { doubled: 2 * (args.n ?? 1) } }', price: 3, content: { description: 'doubles n' } });
  await w.artifact(B, COMPOSER, { code: "export async function run(args, ctx) { try { return await ctx.invoke('iso_a_helper', 'run', { n: 21 }) } catch (e) { return { refused: e.code ?? null, message: String(e.message) } } }" });
  await w.artifact(B, READER, { code: "export async function run(args, ctx) { try { const a = await ctx.read('iso_a_helper'); return { code: a.code } } catch (e) { return { refused: e.code ?? null } } }" });
  await w.artifact(B, OWN, { code: 'export async function run() { return 7 }' });
}, 120_000);
afterAll(() => w?.close());

const isolated = { code: 'FORBIDDEN', details: { reason: 'isolated' } };
const call = (config: EcologyConfig, caller: string, artifactId: string, method: string, args: unknown) =>
  dispatch({ pool: w.pool, config }, { caller, artifactId, method, args, key: w.key() });

test('an action cannot invoke another agent\'s tool; nothing is paid; in society it can', async () => {
  const before = [await w.scrip(A), await w.scrip(B)];
  const o = await w.invoke(B, HELPER, 'run', { n: 2 });
  expect(o).toMatchObject({ ok: false, error: isolated });
  expect([await w.scrip(A), await w.scrip(B)]).toEqual(before);
  const open = await invoke({ ...w.deps, config: society }, { caller: B, artifactId: HELPER, method: 'run', args: { n: 2 }, key: w.key() });
  expect(open).toMatchObject({ ok: true, result: { doubled: 4 } });
}, 60_000);

test('code of its own cannot ctx.invoke or ctx.read another agent\'s tool; in society it can', async () => {
  const composed = await w.invoke(B, COMPOSER, 'run', {}, undefined, { allowance: { scrip: 10, compute: 1_000_000 } });
  expect(composed.ok).toBe(true);
  expect((composed as { result: unknown }).result).toMatchObject({ refused: 'FORBIDDEN' });
  const read = await w.invoke(B, READER);
  expect(read.ok).toBe(true);
  expect((read as { result: unknown }).result).toEqual({ refused: 'FORBIDDEN' });

  const openCompose = await invoke({ ...w.deps, config: society }, { caller: B, artifactId: COMPOSER, method: 'run', args: {}, key: w.key(), grant: { allowance: { scrip: 10, compute: 1_000_000 } } });
  expect((openCompose as { result: unknown }).result).toEqual({ doubled: 42 });
  const openRead = await invoke({ ...w.deps, config: society }, { caller: B, artifactId: READER, method: 'run', args: {}, key: w.key() });
  expect(show(openRead)).toMatch(/doubled/);
}, 60_000);

test('genesis_store read, describe and list show nothing of another agent', async () => {
  expect(await call(w.config, B, 'genesis_store', 'read', { id: HELPER })).toMatchObject({ ok: false, error: isolated });
  expect(await call(w.config, B, 'genesis_store', 'describe', { id: HELPER })).toMatchObject({ ok: false, error: isolated });
  expect(await call(w.config, B, 'genesis_store', 'list', { owner: A })).toMatchObject({ ok: false, error: isolated });
  const listed = await call(w.config, B, 'genesis_store', 'list', { limit: 100 });
  expect(listed.ok).toBe(true);
  const ids = (listed as { result: { items: Array<{ id: string; owner_id: string }> } }).result.items.map((i) => i.id);
  expect(ids).toEqual(expect.arrayContaining([COMPOSER, READER, OWN]));
  expect(ids).not.toContain(HELPER);
  // In society, all of it is there.
  expect(await call(society, B, 'genesis_store', 'read', { id: HELPER })).toMatchObject({ ok: true });
  const all = await call(society, B, 'genesis_store', 'list', { limit: 100 });
  expect((all as { result: { items: Array<{ id: string }> } }).result.items.map((i) => i.id)).toContain(HELPER);
}, 60_000);

test('no trade: escrow, rights offers, debt, transfers of scrip, compute, rights and artifacts are refused; nothing moves', async () => {
  const before = [await w.scrip(A), await w.scrip(B), await w.compute(B)];
  const attempts: Array<[string, string, string, unknown]> = [
    [A, 'genesis_escrow', 'deposit', { artifact_id: HELPER, price: 5 }],
    [B, 'genesis_escrow', 'list_active', {}],
    [A, 'genesis_escrow', 'offer_right', { resource: 'compute_rate', amount: 1, price: 1 }],
    [A, 'genesis_debt', 'offer', { to: B, principal: 10, repay: 12, due_seconds: 60 }],
    [B, 'genesis_ledger', 'transfer', { to: A, amount: 10 }],
    [B, 'genesis_ledger', 'transfer_compute', { to: A, amount: 10 }],
    [B, 'genesis_rights_registry', 'transfer_quota', { to: A, resource: 'disk_bytes', amount: 1 }],
    [A, 'genesis_store', 'transfer_ownership', { id: HELPER, to: B }],
    // Writing someone's (public) artifact, or guarding one's own with someone's contract code.
    [B, 'genesis_store', 'write', { id: HELPER, content: { description: 'mine now' } }],
    [B, 'genesis_store', 'create', { id: 'iso_b_guarded', type: 'data', access_contract_id: HELPER }],
  ];
  for (const [caller, service, method, args] of attempts) {
    const o = await call(w.config, caller, service, method, args);
    expect({ service, method, o }).toMatchObject({ o: { ok: false, error: isolated } });
  }
  expect([await w.scrip(A), await w.scrip(B), await w.compute(B)]).toEqual([before[0], before[1], expect.any(Number)]);
  // The same transfer goes through in society (the check above can fail).
  expect(await call(society, B, 'genesis_ledger', 'transfer', { to: A, amount: 1 })).toMatchObject({ ok: true });
  await w.expectAuditOk();
}, 60_000);

test('no bidding on another agent\'s artifact at the oracle, even where bidding on others is allowed', async () => {
  const open = { ...w.config, oracle: { ...w.config.oracle, bidOnOthers: true } };
  expect(await call(open, B, 'genesis_oracle', 'bid', { artifact_id: HELPER, amount: 2 })).toMatchObject({ ok: false, error: isolated });
  expect(await call({ ...open, world: { isolation: 'society' } }, B, 'genesis_oracle', 'bid', { artifact_id: HELPER, amount: 2 })).toMatchObject({ ok: true });
  expect(await call(open, B, 'genesis_oracle', 'bid', { artifact_id: OWN, amount: 2 })).toMatchObject({ ok: true });
}, 60_000);

test('its own artifacts and the genesis services still work', async () => {
  expect(await w.invoke(B, OWN)).toMatchObject({ ok: true, result: 7 });
  expect(await call(w.config, B, 'genesis_store', 'read', { id: OWN })).toMatchObject({ ok: true });
  expect(await call(w.config, B, 'genesis_store', 'describe', { id: 'genesis_ledger' })).toMatchObject({ ok: true });
  expect(await call(w.config, B, 'genesis_ledger', 'balance', {})).toMatchObject({ ok: true });
  expect(await call(w.config, B, 'genesis_store', 'create', { id: 'iso_b_note', type: 'data', content: { x: 1 } })).toMatchObject({ ok: true });
}, 60_000);

test('the prompt\'s market view shows no tools or listings of others', async () => {
  const read = (config: EcologyConfig) => readPromptFacts(w.pool, { agentId: B, key: w.key(), prompt: marketPrompt(config) });
  expect((await read(society)).market.tools.map((t) => t.id)).toContain(HELPER);
  const facts = await read(w.config);
  expect(facts.market.tools).toEqual([]);
  expect(facts.market.listings).toEqual([]);
  expect(facts.market.offers).toEqual([]);
}, 60_000);
