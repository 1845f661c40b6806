/**
 * A sleeping agent's history must not grow without bound (issue item 12): every balanceChanged
 * signal is a history event, and cheap transfers to a victim would push it toward Temporal's
 * history limit. The relay coalesces balanceChanged per agent (agents.relay.balanceDebounceMs), and
 * a sleeping workflow continues as new when its history is long (agents.maxHistoryEventsPerRun, or
 * Temporal suggests it), resuming the same sleep with the same deadline.
 */
import type { AgentState } from '../../src/agents/types';
import { startAgentWorld, type AgentWorld } from './support/harness';
import { balanceChangedSignal } from '../../src/agents/signals';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld({ agents: { maxHistoryEventsPerRun: 120, relay: { balanceDebounceMs: 5000 } } });
});
afterAll(() => w?.close());

const stateIs = (id: string, check: (s: AgentState) => boolean) => async () => {
  const s = await w.state(id);
  return check(s) ? s : undefined;
};
const signalsIn = async (id: string, runId?: string) =>
  (await w.client.workflow.getHandle(`agent-${id}`, runId).fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'balanceChanged').length;
const runsOf = async (id: string) => {
  const runs = [];
  for await (const r of w.client.workflow.list({ query: `WorkflowId = 'agent-${id}'` })) runs.push(r);
  return runs;
};

test('many transfers to an agent sleeping on its balance send far fewer balanceChanged signals than transfers; the last one still wakes it', async () => {
  const victim = await w.agent('victim');
  const attacker = await w.account('attacker', { scrip: 1000 });
  w.script(victim, [JSON.stringify({ action: 'sleep', until: { resource: 'scrip', op: '>=', value: 500 }, max_seconds: 3600 })]);
  const handle = await w.start(victim);
  const asleep = await w.waitFor('the predicate sleep', stateIs(victim, (s) => s.status === 'sleeping' && s.iteration === 1));
  expect(asleep.waitingFor).toBe('scrip >= 500');
  const firstRun = (await handle.describe()).runId;

  const transfers = 40;
  for (let i = 0; i < transfers; i++) {
    expect((await w.call(attacker, 'genesis_ledger', 'transfer', { to: victim, amount: 1 })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 100)); // one transfer per relay poll: no batching helps
  }
  // the transfer that satisfies the predicate is not lost to the coalescing
  expect((await w.call(attacker, 'genesis_ledger', 'transfer', { to: victim, amount: 500 })).ok).toBe(true);
  await w.waitFor('the victim woken by its balance', stateIs(victim, (s) => s.iteration === 2 && s.waitingFor === 'timer'));

  expect((await handle.describe()).runId).toBe(firstRun);
  const signals = await signalsIn(victim, firstRun);
  expect(signals).toBeGreaterThanOrEqual(1);
  expect(signals).toBeLessThanOrEqual(transfers / 4);
  await w.expectAuditOk();
});

test('a flood of signals sent directly makes a sleeping agent continue as new; its sleep keeps its deadline and still works', async () => {
  const onBalance = await w.agent('flooded');
  const onTimer = await w.agent('flooded_timer');
  const payer = await w.account('payer', { scrip: 1000 });
  w.script(onBalance, [JSON.stringify({ action: 'sleep', until: { resource: 'scrip', op: '>=', value: 300 }, max_seconds: 3600 })]);
  const sleepers = [onBalance, onTimer];
  for (const id of sleepers) await w.start(id);
  const before = new Map<string, AgentState>();
  for (const id of sleepers) before.set(id, await w.waitFor(`${id} asleep`, stateIs(id, (s) => s.status === 'sleeping' && s.iteration === 1)));

  for (let i = 0; i < 150; i++) await Promise.all(sleepers.map((id) => w.handle(id).signal(balanceChangedSignal)));

  for (const id of sleepers) {
    const runs = await w.waitFor(`${id} to continue as new`, async () => {
      const r = await runsOf(id);
      return r.some((x) => x.status.name === 'CONTINUED_AS_NEW') ? r : undefined;
    });
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const after = await w.state(id);
    const was = before.get(id)!;
    expect(after).toMatchObject({ status: 'sleeping', iteration: 1, waitingFor: was.waitingFor, until: was.until, memory: was.memory });
    expect(await w.actions(id)).toHaveLength(1); // no think was added or repeated
  }

  // the resumed predicate sleep still wakes on the balance
  expect((await w.call(payer, 'genesis_ledger', 'transfer', { to: onBalance, amount: 300 })).ok).toBe(true);
  await w.waitFor('the resumed sleep to end on the balance', stateIs(onBalance, (s) => s.iteration === 2 && s.waitingFor === 'timer'));
  expect((await w.actions(onBalance)).map((r) => r.iteration)).toEqual([0, 1]);
  await w.expectAuditOk();
});
