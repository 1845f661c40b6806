/** Pure parts of the LLM layer: prices, the prompt bound, the rate-limit arithmetic, the backoff. */
import { loadConfig } from '../../src/config/load';
import { backoffMs } from '../../src/llm/call';
import { estimateTokens, promptTokenBound } from '../../src/llm/estimate';
import { costMicros, priceOf } from '../../src/llm/pricing';
import { classifyProviderError } from '../../src/llm/providerErrors';
import { fullState, tryAcquire, type RateLimits } from '../../src/llm/rateMath';
import { APIConnectionTimeoutError, APIError } from 'openai';

const llm = loadConfig({ env: {} }).llm;

describe('costMicros', () => {
  const price = { input: 150_000, output: 600_000 }; // $0.15 and $0.60 per million tokens

  it('prices input and output tokens per million, in micro-dollars', () => {
    expect(costMicros({ prompt_tokens: 1_000_000, completion_tokens: 0 }, price)).toBe(150_000);
    expect(costMicros({ prompt_tokens: 0, completion_tokens: 1_000_000 }, price)).toBe(600_000);
    expect(costMicros({ prompt_tokens: 1000, completion_tokens: 100 }, price)).toBe(150 + 60);
  });

  it('rounds up once over the whole call, never per token kind', () => {
    // 1 * 0.15 + 1 * 0.6 = 0.75 micro-dollars -> 1, not 1 + 1.
    expect(costMicros({ prompt_tokens: 1, completion_tokens: 1 }, price)).toBe(1);
    expect(costMicros({ prompt_tokens: 7, completion_tokens: 0 }, price)).toBe(2); // 1.05 -> 2
    expect(costMicros({ prompt_tokens: 0, completion_tokens: 0 }, price)).toBe(0);
  });

  it('is exact for large counts and refuses non-integers', () => {
    expect(costMicros({ prompt_tokens: 2_000_000_000, completion_tokens: 2_000_000_000 }, { input: 100_000_000, output: 100_000_000 })).toBe(400_000_000_000);
    expect(() => costMicros({ prompt_tokens: 1.5, completion_tokens: 0 }, price)).toThrow(RangeError);
    expect(() => costMicros({ prompt_tokens: -1, completion_tokens: 0 }, price)).toThrow(RangeError);
  });

  it('refuses models the table does not list, naming the priced ones', () => {
    expect(priceOf(llm, 'gpt-4o-mini')).toEqual(llm.prices['gpt-4o-mini']);
    expect(() => priceOf(llm, 'some-new-model')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/"some-new-model" has no configured price.*priced models: .*gpt-4o-mini/) }));
    expect(() => priceOf(llm, 'toString')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('prompt token bound', () => {
  const overhead = { tokenOverheadPerMessage: 8, tokenOverheadPerRequest: 64 };

  it('counts one token per UTF-8 byte plus the template overheads', () => {
    const messages = [{ role: 'user' as const, content: 'hello' }];
    expect(promptTokenBound(messages, undefined, overhead)).toBe(5 + 4 + 8 + 64);
    // 'é' is two bytes, '€' three.
    expect(promptTokenBound([{ role: 'user', content: 'é€' }], undefined, overhead)).toBe(5 + 4 + 8 + 64);
  });

  it('counts the response-format schema, which the provider adds to the prompt', () => {
    const messages = [{ role: 'user' as const, content: 'x' }];
    const schema = { type: 'object', properties: { action: { type: 'string' } } };
    expect(promptTokenBound(messages, schema, overhead) - promptTokenBound(messages, undefined, overhead)).toBe(JSON.stringify(schema).length);
  });

  it('is never below the typical estimate', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(50);
    expect(promptTokenBound([{ role: 'user', content: text }], undefined, overhead)).toBeGreaterThan(estimateTokens(text.length, llm));
  });
});

describe('rate limit arithmetic', () => {
  const limits: RateLimits = { requests: 3, tokens: 1000, windowMs: 3000 };

  it('admits the per-window number of requests at once, then one per window/limit', () => {
    let s = fullState(limits, 0);
    const admitted: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = tryAcquire(s, limits, 1, 0);
      expect(r.waitMs).toBe(0);
      s = r.state;
      admitted.push(i);
    }
    const fourth = tryAcquire(s, limits, 1, 0);
    expect(fourth.waitMs).toBe(1000);
    // Not yet at 999 ms; admitted at 1000 ms.
    expect(tryAcquire(fourth.state, limits, 1, 999).waitMs).toBeGreaterThan(0);
    const later = tryAcquire(fourth.state, limits, 1, 1000);
    expect(later.waitMs).toBe(0);
    expect(tryAcquire(later.state, limits, 1, 1000).waitMs).toBe(1000);
  });

  it('never admits more than the limit plus what refilled, over any span', () => {
    let s = fullState(limits, 0);
    let admitted = 0;
    for (let t = 0; t <= 30_000; t += 7) {
      const r = tryAcquire(s, limits, 1, t);
      s = r.state;
      if (r.waitMs === 0) admitted++;
    }
    expect(admitted).toBeLessThanOrEqual(3 + Math.floor((30_000 * 3) / 3000));
    expect(admitted).toBeGreaterThanOrEqual(30_000 / 1000); // and the limit is actually reached
  });

  it('waits for tokens as well as requests', () => {
    let s = fullState(limits, 0);
    s = tryAcquire(s, limits, 800, 0).state;
    const r = tryAcquire(s, limits, 500, 0);
    expect(r.waitMs).toBe(900); // 300 tokens missing at 1000 per 3000 ms
    expect(tryAcquire(r.state, limits, 500, 900).waitMs).toBe(0);
  });

  it('lets a request larger than the whole token limit through a full bucket, leaving it below zero', () => {
    const first = tryAcquire(fullState(limits, 0), limits, 2500, 0);
    expect(first.waitMs).toBe(0);
    expect(first.state.tokens).toBe(-1500);
    expect(tryAcquire(first.state, limits, 1, 0).waitMs).toBeGreaterThan(3000);
  });
});

describe('retries', () => {
  const cfg = { ...llm, backoffBaseMs: 100, backoffMaxMs: 1000 };
  const failure = { reason: 'server_error' as const, retryable: true, status: 500, message: '', retryAfterMs: null };

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(cfg, 0, failure, () => 0)).toBe(50);
    expect(backoffMs(cfg, 0, failure, () => 1)).toBe(100);
    expect(backoffMs(cfg, 3, failure, () => 1)).toBe(800);
    expect(backoffMs(cfg, 10, failure, () => 1)).toBe(1000);
  });

  it('waits at least what the provider asked, within the cap', () => {
    expect(backoffMs(cfg, 0, { ...failure, retryAfterMs: 700 }, () => 0)).toBe(700);
    expect(backoffMs(cfg, 0, { ...failure, retryAfterMs: 60_000 }, () => 0)).toBe(1000);
  });

  it('classifies provider errors', () => {
    const err = (status: number, headers: Record<string, string> = {}) => APIError.generate(status, { message: 'x' }, 'x', new Headers(headers));
    expect(classifyProviderError(err(429, { 'retry-after': '2' }))).toMatchObject({ reason: 'rate_limited', retryable: true, retryAfterMs: 2000 });
    expect(classifyProviderError(err(503))).toMatchObject({ reason: 'server_error', retryable: true });
    expect(classifyProviderError(err(401))).toMatchObject({ reason: 'auth', retryable: false });
    expect(classifyProviderError(err(400))).toMatchObject({ reason: 'rejected', retryable: false });
    expect(classifyProviderError(new APIConnectionTimeoutError())).toMatchObject({ reason: 'timeout', retryable: true });
    expect(classifyProviderError(new TypeError('bug'))).toBeNull();
  });
});
