/**
 * Signals and the state query through the Temporal client, by name as the Temporal UI sends them:
 * wake ends any sleep, pause holds the loop until resume, configChanged ends a think delay and the
 * next think uses the new configuration, stop ends the workflow. Sleeps: a timer, an event with
 * max_seconds, an event emitted by someone else (through the relay).
 */
import { withTransaction } from '../../src/db/tx';
import { emit } from '../../src/events/emit';
import type { AgentState } from '../../src/agents/types';
import { SETTLE, startAgentWorld, type AgentWorld } from './support/harness';
import { configChangedSignal, pauseSignal, resumeSignal, stopSignal, wakeSignal } from '../../src/agents/signals';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld();
});
afterAll(() => w?.close());

const NOOP = '{"action":"noop"}';
const thoughts = async (id: string) => (await w.actions(id)).length;
const stateIs = (id: string, check: (s: AgentState) => boolean) => async () => {
  const s = await w.state(id);
  return check(s) ? s : undefined;
};

test('wake ends a long sleep; pause holds the loop until resume; stop finishes the workflow', async () => {
  const a = await w.agent('sleeper');
  w.script(a, [SETTLE, SETTLE, SETTLE, SETTLE], SETTLE);
  const handle = await w.start(a);

  const asleep = await w.waitFor('the first sleep', stateIs(a, (s) => s.status === 'sleeping' && s.iteration === 1));
  expect(asleep.waitingFor).toBe('timer');
  const until = Date.parse(asleep.until!);
  expect(until).toBeGreaterThan(Date.now() + 3500 * 1000);
  expect(asleep.lastAction).toBe('sleep');
  expect(asleep.lastResult).toEqual({ ok: true, summary: 'sleep 3600s -> ok' });
  expect(asleep.balances).toEqual({ scrip: 0, compute: expect.any(Number), llm_tokens: expect.any(Number) });

  await handle.signal(wakeSignal);
  await w.waitFor('the second sleep', stateIs(a, (s) => s.status === 'sleeping' && s.iteration === 2));
  expect(await thoughts(a)).toBe(2);

  // paused while asleep: the sleep goes on; once woken the loop stops at the pause
  await handle.signal(pauseSignal);
  await handle.signal(wakeSignal);
  const paused = await w.waitFor('the pause', stateIs(a, (s) => s.status === 'paused'));
  expect(paused).toMatchObject({ paused: true, iteration: 2, waitingFor: 'a resume signal' });
  await handle.signal(wakeSignal); // a wake does not end a pause
  expect((await w.state(a)).status).toBe('paused');
  expect(await thoughts(a)).toBe(2);

  await handle.signal(resumeSignal);
  await w.waitFor('a think after resume', stateIs(a, (s) => s.status === 'sleeping' && s.iteration === 3 && !s.paused));
  expect(await thoughts(a)).toBe(3);

  await handle.signal(stopSignal);
  expect(await handle.result()).toEqual({ agentId: a, iteration: 3, reason: 'stopped' });
  expect((await w.state(a)).status).toBe('stopped');
});

test('configChanged: a think delay from the configuration, ended by the signal; the next think uses the new settings', async () => {
  const a = await w.agent('tuner', { content: { think_delay_ms: 3_600_000 } });
  w.script(a, [JSON.stringify({ action: 'write_artifact', id: a, type: 'agent', content: { max_tokens: 77, temperature: 0.1, note: 'tuned myself' } })], NOOP);
  const handle = await w.start(a);
  const delayed = await w.waitFor('the think delay', stateIs(a, (s) => s.status === 'sleeping' && s.waitingFor === 'its think delay'));
  expect(delayed.iteration).toBe(0);
  expect(w.calls(a)).toHaveLength(0);

  // an operator edits the agent's configuration and tells its workflow
  await w.pool.query(`UPDATE artifacts SET content = '{"think_delay_ms": 0}' WHERE id = $1`, [a]);
  await handle.signal(configChangedSignal);
  // iteration 0 rewrites its own configuration; iteration 1's request uses it
  await w.waitFor('a think with the agent-written configuration', async () => w.calls(a).length >= 2);
  expect(w.calls(a)[0].body.max_tokens).toBe(w.config.agents.defaults.max_tokens);
  expect(w.calls(a)[1].body.max_tokens).toBe(77);
  expect(w.calls(a)[1].body.temperature).toBe(0.1);
  const content = await w.pool.query('SELECT content FROM artifacts WHERE id = $1', [a]);
  expect(content.rows[0].content).toEqual({ max_tokens: 77, temperature: 0.1, note: 'tuned myself' });
  await handle.signal(stopSignal);
  await handle.result();
});

test('sleep until an event: woken by the relay when someone else emits it; max_seconds bounds a sleep on an event that never comes', async () => {
  const a = await w.agent('listener');
  w.script(a, [
    JSON.stringify({ action: 'sleep', until_event: 'test_bell', max_seconds: 3600 }),
    JSON.stringify({ action: 'sleep', until_event: 'never_rings', max_seconds: 1 }),
  ]);
  await w.start(a);
  const asleep = await w.waitFor('the event sleep', stateIs(a, (s) => s.status === 'sleeping' && s.iteration === 1));
  expect(asleep.waitingFor).toBe('event test_bell');
  const subs = await w.pool.query('SELECT key, event_type FROM agent_subscriptions WHERE agent_id = $1', [a]);
  expect(subs.rows).toEqual([{ key: `${a}:0`, event_type: 'test_bell' }]);

  await withTransaction(w.pool, (c) => emit(c, { type: 'test_bell', subject: 'nobody' }));
  const second = await w.waitFor('the second sleep', stateIs(a, (s) => s.status === 'sleeping' && s.iteration === 2));
  expect(second.waitingFor).toBe('event never_rings');
  // the bounded sleep ends by its timer; the agent thinks again and settles
  await w.waitFor('the settle after max_seconds', stateIs(a, (s) => s.iteration === 3 && s.waitingFor === 'timer'));
  const left = await w.pool.query('SELECT count(*)::int AS n FROM agent_subscriptions WHERE agent_id = $1', [a]);
  expect(left.rows[0].n).toBe(0);
});
