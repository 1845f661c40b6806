/**
 * A few agents run on their own and trade through the genesis services: alice writes a poem and
 * lists it in escrow, then sleeps until a purchase; bob watches the economy and buys it; carol
 * sleeps until her scrip reaches 60, which alice's payment brings about, then pays bob and reads
 * the poem. Every effect happens exactly once and the ledger audit passes.
 */
import { SETTLE, startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld();
});
afterAll(() => w?.close());

const invoke = (id: string, method: string, args: Record<string, unknown>) => JSON.stringify({ action: 'invoke_artifact', id, method, args });

test('agents trade through escrow, sleeps on events and predicates, and the audit passes', async () => {
  const alice = await w.agent('alice', { scrip: 100 });
  const bob = await w.agent('bob', { scrip: 100 });
  const carol = await w.agent('carol', { scrip: 50 });
  const poem = `${alice}_poem`;

  w.script(alice, [
    JSON.stringify({ action: 'write_artifact', id: poem, type: 'data', content: { text: 'roses are red' }, reasoning: 'make something to sell' }),
    invoke('genesis_escrow', 'deposit', { artifact_id: poem, price: 30 }),
    JSON.stringify({ action: 'sleep', until_event: 'purchase', max_seconds: 60 }),
    invoke('genesis_ledger', 'transfer', { to: carol, amount: 10, memo: 'thanks' }),
  ]);
  // bob reacts to what his prompt shows: buy once the poem is listed, then settle. He waits until
  // alice sleeps on the purchase event: a sleep wakes on the next event after it subscribed, so a
  // purchase before that (possible on a loaded machine) would leave her asleep until max_seconds.
  let aliceSubscribed = false;
  const watch = setInterval(() => {
    void w.pool.query('SELECT 1 FROM agent_subscriptions WHERE agent_id = $1', [alice]).then((r) => {
      if (r.rowCount) aliceSubscribed = true;
    }, () => undefined);
  }, 50);
  w.script(bob, [], ({ prompt }) => {
    if (prompt.includes(`genesis_escrow.purchase {"artifact_id":"${poem}"} -> ok`)) return { content: SETTLE };
    if (prompt.includes('listing_opened') && aliceSubscribed) return { content: invoke('genesis_escrow', 'purchase', { artifact_id: poem }) };
    return { content: JSON.stringify({ action: 'sleep', seconds: 0.3 }) };
  });
  w.script(carol, [
    JSON.stringify({ action: 'sleep', until: { resource: 'scrip', op: '>=', value: 60 }, max_seconds: 60 }),
    invoke('genesis_ledger', 'transfer', { to: bob, amount: 5 }),
    JSON.stringify({ action: 'read_artifact', id: poem }),
  ]);

  await Promise.all([w.start(alice), w.start(bob), w.start(carol)]);

  const settled = async (id: string) => {
    const s = await w.state(id);
    return s.status === 'sleeping' && s.waitingFor === 'timer' && s.lastAction === 'sleep' ? s : undefined;
  };
  for (const id of [alice, bob, carol]) await w.waitFor(`${id} to settle`, () => settled(id), 45000);
  clearInterval(watch);

  expect(await w.scrip(alice)).toBe(100 + 30 - 10);
  expect(await w.scrip(bob)).toBe(100 - 30 + 5);
  expect(await w.scrip(carol)).toBe(50 + 10 - 5);
  const owner = await w.pool.query('SELECT owner_id FROM artifacts WHERE id = $1', [poem]);
  expect(owner.rows[0].owner_id).toBe(bob);

  const aliceActions = await w.actions(alice);
  expect(aliceActions.slice(0, 5).map((r) => [r.iteration, r.action_type, r.status])).toEqual([
    [0, 'write_artifact', 'done'],
    [1, 'invoke_artifact', 'done'],
    [2, 'sleep', 'done'],
    [3, 'invoke_artifact', 'done'],
    [4, 'sleep', 'done'],
  ]);
  expect(aliceActions[0].reasoning).toBe('make something to sell');
  const carolActions = await w.actions(carol);
  expect(carolActions.slice(0, 3).map((r) => [r.action_type, r.status])).toEqual([
    ['sleep', 'done'],
    ['invoke_artifact', 'done'],
    ['read_artifact', 'done'],
  ]);
  expect((carolActions[2].result as { content: unknown }).content).toEqual({ text: 'roses are red' });
  // carol's predicate sleep ended because of alice's payment, which came after it began
  const payment = await w.pool.query(`SELECT created_at FROM journal WHERE id = $1`, [`${alice}:3`]);
  expect(payment.rows[0].created_at.getTime()).toBeGreaterThan(carolActions[0].acted_at!.getTime());
  expect(carolActions[1].thought_at!.getTime()).toBeGreaterThan(payment.rows[0].created_at.getTime());

  // the three agent-made transfers, each keyed by the iteration that made it, each once
  const purchase = (await w.actions(bob)).find((r) => r.summary?.includes('genesis_escrow.purchase'))!;
  const journal = await w.pool.query(`SELECT id FROM journal WHERE kind <> 'issuance' ORDER BY seq`);
  const keys = [`${alice}:3`, `${bob}:${purchase.iteration}`, `${carol}:1`];
  expect(journal.rows).toHaveLength(3);
  for (const key of keys) expect(journal.rows.filter((r) => r.id === key || r.id.startsWith(`${key}:`))).toHaveLength(1);
  // one recorded, charged LLM call per thought, under the thought's key
  const calls = await w.pool.query(`SELECT key, status, cost_micros FROM llm_calls ORDER BY key`);
  const thoughts = await w.pool.query(`SELECT llm_key FROM agent_actions ORDER BY llm_key`);
  expect(calls.rows.map((r) => r.key)).toEqual(thoughts.rows.map((r) => r.llm_key));
  expect(calls.rows.every((r) => r.status === 'succeeded' && r.cost_micros > 0)).toBe(true);
  expect((await w.pool.query('SELECT count(*)::int AS n FROM agent_subscriptions')).rows[0].n).toBe(0);
  await w.expectAuditOk();
});
