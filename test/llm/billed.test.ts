/**
 * Every token priced as billed (real PostgreSQL, the stub provider): prompt tokens the provider
 * reports as cached cost the model's cachedInput price, reasoning tokens are output, and each call
 * record keeps the provider's usage details. The stub reports cached tokens as hosted providers do
 * (whole 128-token blocks of a prefix shared with an earlier request, from 1,024 tokens).
 */
import { loadConfig } from '../../src/config/load';
import { costMicros } from '../../src/llm/pricing';
import type { ChatMessage } from '../../src/llm/types';
import { MODEL, setupLlm, type LlmHarness } from './harness';

// $1 per million input tokens, $0.25 per million cached, $2 per million output.
const PRICE = { input: 1_000_000, cachedInput: 250_000, output: 2_000_000 };
let h: LlmHarness;
beforeAll(async () => {
  h = await setupLlm({ prices: { [MODEL]: PRICE } });
  await h.agent('alice', { tokens: 10_000_000, dollars: 100_000_000 });
});
afterAll(() => h?.close());

/** A prompt whose stable part (about 2,000 tokens) is the same every time, and a changing tail. */
const prompt = (tail: string): ChatMessage[] => [
  { role: 'system', content: 'Rules that never change. '.repeat(320) },
  { role: 'user', content: `Current time: ${tail}` },
];

test('cached prompt tokens are charged at the cached-input price, and the record keeps the usage details', async () => {
  const first = await h.call({ key: 'billed-1', messages: prompt('one') });
  expect(first.usage.cached_tokens).toBe(0);
  expect(first.cost_micros).toBe(Math.ceil((first.usage.prompt_tokens * PRICE.input + first.usage.completion_tokens * PRICE.output) / 1_000_000));

  const second = await h.call({ key: 'billed-2', messages: prompt('two') });
  const cached = second.usage.cached_tokens;
  // The shared prefix is about 2,000 tokens: the stub reports it in whole 128-token blocks.
  expect(cached).toBeGreaterThanOrEqual(1024);
  expect(cached % 128).toBe(0);
  expect(cached).toBeLessThanOrEqual(second.usage.prompt_tokens);
  const exact = (second.usage.prompt_tokens - cached) * PRICE.input + cached * PRICE.cachedInput + second.usage.completion_tokens * PRICE.output;
  expect(second.cost_micros).toBe(Math.ceil(exact / 1_000_000));
  expect(second.cost_micros).toBeLessThan(first.cost_micros);

  const row = await h.callRow('billed-2');
  expect(row).toMatchObject({ cached_tokens: cached, reasoning_tokens: 0, cost_micros: second.cost_micros, compute_ms: 0 });
  expect(row.usage_details).toMatchObject({ prompt_tokens: second.usage.prompt_tokens, prompt_tokens_details: { cached_tokens: cached } });
  // The payer's dollar allowance paid exactly the billed cost.
  expect(await h.dollars('alice')).toBe(100_000_000 - first.cost_micros - second.cost_micros);
});

test('reasoning tokens are output tokens; a provider counting them apart from completion_tokens is billed for both', async () => {
  h.fake.queue({ content: '{"action":"noop"}', usage: { prompt_tokens: 100, completion_tokens: 90, reasoning_tokens: 80 } });
  const inside = await h.call({ key: 'reasoned-1' });
  expect(inside.usage).toMatchObject({ completion_tokens: 90, reasoning_tokens: 80 });
  expect(inside.cost_micros).toBe(100 * 1 + 90 * 2);

  h.fake.queue({ content: '{"action":"noop"}', usage: { prompt_tokens: 100, completion_tokens: 10, reasoning_tokens: 80 } });
  const apart = await h.call({ key: 'reasoned-2' });
  expect(apart.usage).toMatchObject({ completion_tokens: 90, reasoning_tokens: 80 });
  expect(apart.cost_micros).toBe(100 * 1 + 90 * 2);
  expect(await h.callRow('reasoned-2')).toMatchObject({ completion_tokens: 90, reasoning_tokens: 80, usage_details: { completion_tokens: 10, completion_tokens_details: { reasoning_tokens: 80 } } });
});

test('a provider reporting more cached tokens than prompt tokens is charged for no fewer than the prompt', async () => {
  h.fake.queue({ content: '{"action":"noop"}', usage: { prompt_tokens: 100, completion_tokens: 10, cached_tokens: 5000 } });
  const r = await h.call({ key: 'overcached' });
  expect(r.usage.cached_tokens).toBe(100);
  expect(r.cost_micros).toBe(costMicros({ prompt_tokens: 100, completion_tokens: 10, cached_tokens: 100 }, PRICE));
});

test('a cached-input price above the input price is refused by the configuration', () => {
  expect(() => loadConfig({ env: {}, overrides: { llm: { prices: { m: { input: 1, output: 1, cachedInput: 2 } } } } })).toThrow(/cachedInput may not be above input/);
});
