/**
 * Cache-friendly prompts: everything that stays the same from one iteration of an agent to the
 * next (the answer rules, the genesis method list, the agent's own system prompt and id) comes
 * first and is byte-identical between iterations; what changes (time, balances, events, results)
 * comes after it. Providers bill a repeated prefix at the cached price, and the local model keeps
 * it evaluated, only for a prefix that does not change.
 */
import { methodCatalogue } from '../../src/genesis/registry';
import { promptOf, SETTLE, startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld();
});
afterAll(() => w?.close());

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

test('two consecutive iterations of one agent share the whole stable part as a byte-identical prefix', async () => {
  const a = await w.agent('prefixed', { scrip: 100, content: { system_prompt: 'I trade carefully and keep out of debt.' } });
  w.script(a, ['{"action":"noop"}', '{"action":"invoke_artifact","id":"genesis_ledger","method":"balance","args":{}}'], SETTLE);
  await w.start(a);
  await w.waitFor('three thoughts', async () => w.calls(a).length >= 3 || undefined);

  const [first, second] = w.calls(a).map(promptOf);
  const [system1, system2] = w.calls(a).map((c) => c.body.messages[0].content);
  expect(system2).toBe(system1);
  // The stable part holds every part that does not change: rules, the genesis method list, the
  // agent's own system prompt and id, and nothing that does.
  for (const m of methodCatalogue()) expect(system1).toContain(`- ${m.artifact}.${m.method}: `);
  expect(system1).toContain('Answer with exactly one JSON object');
  expect(system1).toContain('I trade carefully and keep out of debt.');
  expect(system1).toMatch(new RegExp(`^Agent: ${a}$`, 'm'));
  expect(system1).not.toMatch(/Current time|Iteration|scrip: |## Your balances|## Recent events/);

  // What changes comes after it: the two prompts first differ past the whole system message.
  const shared = commonPrefixLength(first, second);
  expect(shared).toBeGreaterThanOrEqual(system1.length);
  expect(shared).toBeLessThan(first.indexOf('\nIteration: '));
  for (const p of [first, second]) {
    expect(p.indexOf('Current time: ')).toBeGreaterThan(system1.length);
    expect(p.indexOf('## Your balances')).toBeGreaterThan(system1.length);
  }
});
