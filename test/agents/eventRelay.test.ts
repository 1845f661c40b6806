/**
 * The event relay on its own (a recording stand-in for the Temporal client): subscribers of an
 * event type are signalled once and their rows deleted; both agents of a transfer hear
 * balanceChanged, and so does an agent whose compute rate the operator set (quota_set); with two
 * relays on one database exactly one signals, and the other takes over when the first stops; a
 * subscription whose event came while no relay led is caught up. In the embedded database's mode
 * (no lock to take) the relay leads alone and does the same.
 */
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { startEventRelay, type EventRelay } from '../../src/temporal/eventRelay';
import { subscribe } from '../../src/agents/queries';
import { withTransaction } from '../../src/db/tx';
import { applyComputeRates } from '../../src/ecology/computeRates';
import { emit } from '../../src/events/emit';
import { startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
const relays: EventRelay[] = [];
const signals: Array<{ workflowId: string; name: string; arg: unknown }> = [];
const recorder = {
  workflow: {
    getHandle: (workflowId: string) => ({
      // The relay signals through the definitions (src/agents/signals.ts); the client sends their names.
      signal: async (def: SignalDefinition<unknown[]>, arg?: unknown) => void signals.push({ workflowId, name: def.name, arg }),
    }),
  },
} as unknown as Client;

beforeAll(async () => {
  w = await startAgentWorld({}, { worker: false });
});
afterAll(async () => {
  for (const r of relays) await r.stop();
  await w?.close();
});

const relay = async () => {
  const r = startEventRelay({ pool: w.pool, config: w.config, temporal: recorder });
  relays.push(r);
  await r.ready;
  return r;
};
const ring = (type: string) => withTransaction(w.pool, (c) => emit(c, { type }));
const signalled = (name: string, workflowId: string) => signals.filter((s) => s.name === name && s.workflowId === workflowId);

test('one of two relays leads; subscribers and both sides of a transfer are signalled once; the other takes over', async () => {
  const a = await w.agent('sub_a', { scrip: 10 });
  const b = await w.agent('sub_b');
  await subscribe(w.pool, { key: `${a}:7`, agentId: a, eventType: 'caught_up' });
  await ring('caught_up'); // before any relay listens: the first sweep catches it up

  const [r1, r2] = [await relay(), await relay()];
  await w.waitFor('a leader', async () => r1.isLeader() || r2.isLeader());
  expect([r1.isLeader(), r2.isLeader()].filter(Boolean)).toHaveLength(1);
  await w.waitFor('the catch-up signal', async () => signalled('event', `agent-${a}`).length === 1);
  expect(signalled('event', `agent-${a}`)[0].arg).toMatchObject({ key: `${a}:7`, type: 'caught_up' });

  await subscribe(w.pool, { key: `${a}:8`, agentId: a, eventType: 'bell' });
  await subscribe(w.pool, { key: `${b}:3`, agentId: b, eventType: 'bell' });
  await ring('bell');
  await w.waitFor('both subscribers', async () => signals.filter((s) => s.name === 'event' && (s.arg as { type: string }).type === 'bell').length === 2);
  expect((await w.pool.query('SELECT count(*)::int AS n FROM agent_subscriptions')).rows[0].n).toBe(0);

  expect((await w.call(a, 'genesis_ledger', 'transfer', { to: b, amount: 4 })).ok).toBe(true);
  await w.waitFor('balanceChanged on both sides', async () => signalled('balanceChanged', `agent-${a}`).length === 1 && signalled('balanceChanged', `agent-${b}`).length === 1);

  const [leader, standby] = r1.isLeader() ? [r1, r2] : [r2, r1];
  await leader.stop();
  await w.waitFor('the standby to lead', async () => standby.isLeader());
  await subscribe(w.pool, { key: `${b}:4`, agentId: b, eventType: 'second_bell' });
  await ring('second_bell');
  await w.waitFor('the signal from the new leader', async () => signalled('event', `agent-${b}`).some((s) => (s.arg as { key: string }).key === `${b}:4`));

  // nothing was signalled twice
  const keys = signals.filter((s) => s.name === 'event').map((s) => (s.arg as { key: string }).key);
  expect(new Set(keys).size).toBe(keys.length);
  expect(signalled('balanceChanged', `agent-${a}`)).toHaveLength(1);
});

test('a quota_set (the operator setting a compute rate) wakes the agent whose rights changed', async () => {
  const rated = await w.agent('rated');
  const bystander = await w.agent('bystander');
  const r = relays.find((x) => x.isLeader()) ?? (await relay());
  await w.waitFor('a leader', async () => r.isLeader());
  const before = signalled('balanceChanged', `agent-${rated}`).length;
  const { changed } = await applyComputeRates(w.pool, { ...w.config, ecology: { ...w.config.ecology, computeRates: { [rated]: 3 } } });
  expect(changed).toEqual([{ principal: rated, from: expect.any(Number), to: 3 }]);
  await w.waitFor('balanceChanged for the rated agent', async () => signalled('balanceChanged', `agent-${rated}`).length === before + 1);
  expect(signalled('balanceChanged', `agent-${bystander}`)).toHaveLength(0);
});

test('in embedded mode the relay leads alone: subscribers, transfers and quota_set still signal', async () => {
  for (const r of relays.splice(0)) await r.stop();
  const a = await w.agent('poll_a', { scrip: 10 });
  const b = await w.agent('poll_b');
  const config = { ...w.config, database: { ...w.config.database, mode: 'embedded' as const } };
  const r = startEventRelay({ pool: w.pool, config, temporal: recorder });
  relays.push(r);
  await r.ready;
  expect(r.isLeader()).toBe(true);

  await subscribe(w.pool, { key: `${a}:9`, agentId: a, eventType: 'polled_bell' });
  await ring('polled_bell');
  await w.waitFor('the subscriber', async () => signalled('event', `agent-${a}`).some((s) => (s.arg as { key: string }).key === `${a}:9`));

  expect((await w.call(a, 'genesis_ledger', 'transfer', { to: b, amount: 2 })).ok).toBe(true);
  await w.waitFor('balanceChanged on both sides', async () => signalled('balanceChanged', `agent-${a}`).length === 1 && signalled('balanceChanged', `agent-${b}`).length === 1);

  await applyComputeRates(w.pool, { ...w.config, ecology: { ...w.config.ecology, computeRates: { [b]: 5 } } });
  await w.waitFor('balanceChanged for the rated agent', async () => signalled('balanceChanged', `agent-${b}`).length === 2);
  expect(signalled('balanceChanged', `agent-${a}`)).toHaveLength(1);
});
