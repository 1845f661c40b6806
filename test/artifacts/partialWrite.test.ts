/**
 * A write changes only the fields it names; `null` clears a field; the result lists what changed.
 * An owner who only changes a price keeps the code (the tool stays invocable), a write without
 * content keeps an agent's configuration, and no write may leave an executable tool without code.
 * The agent's write_artifact action goes the same way.
 */
import { act } from '../../src/agents/act';
import type { AgentControl } from '../../src/agents/types';
import { iterationKey } from '../../src/agents/types';
import { setupWorld, show, type World } from '../invoke/support';
import type { ErrorInfo } from '../../src/errors';

let w: World;
const control: AgentControl = { start: async () => undefined, signal: async () => false };
const ADD = 'export function run(a) { return a.x + a.y }';
const MUL = 'export function run(a) { return a.x * a.y }';

beforeAll(async () => {
  w = await setupWorld();
  for (const p of ['alice', 'bob']) await w.principal(p);
  await w.artifact('alice', 'adder', { code: ADD, price: 2, content: { doc: 'adds' } });
}, 60_000);
afterAll(() => w?.close());
afterEach(() => w.expectAuditOk());

async function write(caller: string, args: Record<string, unknown>) {
  const o = await w.invoke(caller, 'genesis_store', 'write', args);
  return o as { ok: boolean; result?: any; error?: ErrorInfo };
}
const row = async (id: string) =>
  (await w.pool.query(`SELECT type, content, code, price::int, can_execute, access_contract_id FROM artifacts WHERE id = $1`, [id])).rows[0];

test('a price-only write keeps the code: the tool stays invocable at the new price', async () => {
  const o = await write('alice', { id: 'adder', price: 5 });
  expect(o).toMatchObject({ ok: true, result: { id: 'adder', created: false, changed: ['price'] } });
  expect(await row('adder')).toMatchObject({ type: 'tool', content: { doc: 'adds' }, code: ADD, price: 5, can_execute: true });
  const [bob, alice] = [await w.scrip('bob'), await w.scrip('alice')];
  const inv = await w.invoke('bob', 'adder', 'run', { x: 2, y: 40 });
  expect([inv.ok, show(inv)]).toEqual([true, expect.any(String)]);
  expect([await w.scrip('bob'), await w.scrip('alice')]).toEqual([bob - 5, alice + 5]);
});

test('changing the code keeps the price; a write that changes nothing lists nothing', async () => {
  expect(await write('alice', { id: 'adder', code: MUL })).toMatchObject({ ok: true, result: { changed: ['code'] } });
  expect(await row('adder')).toMatchObject({ code: MUL, price: 5, content: { doc: 'adds' } });
  expect(await write('alice', { id: 'adder', type: 'tool', code: MUL, price: 5 })).toMatchObject({ ok: true, result: { changed: [] } });
});

test('a write without content keeps an agent’s configuration', async () => {
  expect(await write('alice', { id: 'alice', content: { system_prompt: 'keep me' } })).toMatchObject({ ok: true, result: { changed: ['content'] } });
  expect(await write('alice', { id: 'alice', type: 'agent', price: 1 })).toMatchObject({ ok: true, result: { changed: ['price'] } });
  expect(await row('alice')).toMatchObject({ content: { system_prompt: 'keep me' }, price: 1, can_execute: true });
});

test('null clears a field; an executable tool cannot be left without code', async () => {
  const refused = await write('alice', { id: 'adder', code: null });
  expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect((await row('adder')).code).toBe(MUL);
  expect(await write('alice', { id: 'adder', code: null, can_execute: false, price: null, content: null })).toMatchObject({
    ok: true,
    result: { changed: ['content', 'code', 'price', 'can_execute'] },
  });
  expect(await row('adder')).toMatchObject({ content: {}, code: null, price: 0, can_execute: false });
  // turning execution back on without code is refused too
  expect(await write('alice', { id: 'adder', can_execute: true })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
});

test('the agent’s write_artifact action changes only what it names', async () => {
  await w.artifact('alice', 'summer', { code: ADD, price: 3, content: { doc: 'sums' } });
  const action = { action: 'write_artifact', id: 'summer', price: 7 };
  await w.pool.query(`INSERT INTO agent_actions (key, agent_id, iteration, status, action_type, action) VALUES ($1, 'alice', 1, 'ready', $2, $3)`, [
    iterationKey('alice', 1),
    action.action,
    JSON.stringify(action),
  ]);
  const summary = await act({ pool: w.pool, config: w.config, control, invoke: { sandbox: w.sandbox } }, { agentId: 'alice', iteration: 1 });
  expect(summary).toMatchObject({ ok: true, action: 'write_artifact' });
  const stored = await w.pool.query(`SELECT result FROM agent_actions WHERE key = $1`, [iterationKey('alice', 1)]);
  expect(stored.rows[0].result).toMatchObject({ id: 'summer', changed: ['price'] });
  expect(await row('summer')).toMatchObject({ code: ADD, price: 7, content: { doc: 'sums' }, can_execute: true });
  const inv = await w.invoke('bob', 'summer', 'run', { x: 1, y: 2 });
  expect([inv.ok, show(inv)]).toEqual([true, expect.any(String)]);
});
