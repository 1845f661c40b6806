/**
 * callLlm against a real PostgreSQL and the fake OpenAI-compatible server through the real openai
 * client: what is charged, to whom, how often, and what is recorded.
 */
import { spend } from '../../src/buckets/store';
import { withTransaction } from '../../src/db/tx';
import { llmBudgetCheck } from '../../src/llm/audit';
import { abandonLlmCall, getBudgetStatus, recordedSpend } from '../../src/llm/call';
import { openAiClient, type LlmClient } from '../../src/llm/client';
import { promptTokenBound } from '../../src/llm/estimate';
import { claimCall } from '../../src/llm/reserve';
import { NOOP_ACTION } from '../support/fakeLlm';
import { MESSAGES, MODEL, rejectsWith, setupLlm, worstCase, type LlmHarness } from './harness';

let h: LlmHarness;

beforeAll(async () => {
  h = await setupLlm();
  await h.agent('alice');
  await h.agent('bob');
});
afterAll(() => h.close());
afterEach(async () => {
  h.fake.respond(() => ({ content: NOOP_ACTION }));
  await expectBudgetConsistent();
});

async function expectBudgetConsistent(): Promise<void> {
  const client = await h.pool.connect();
  try {
    expect(await llmBudgetCheck(client)).toMatchObject({ ok: true });
  } finally {
    client.release();
  }
  const s = await recordedSpend(h.pool);
  expect(s.budget.reserved_micros).toBe(0);
  expect(s.calls_reserved_micros).toBe(0);
}

/** What a payer holds now: tokens, allowance, system spend and the fake's request count. */
async function snapshot(payer = 'alice') {
  return { tokens: await h.tokens(payer), dollars: await h.dollars(payer), spent: (await getBudgetStatus(h.pool)).spent_micros, requests: h.fake.calls.length };
}

describe('a successful call', () => {
  it('charges the reported usage to the bucket, the allowance and the budget, and records it', async () => {
    h.fake.respond(() => ({ content: '{"action":"sleep","seconds":5}', usage: { prompt_tokens: 120, completion_tokens: 30 } }));
    const before = await snapshot();
    const res = await h.call({ key: 'ok-1', purpose: 'think' });
    expect(res).toMatchObject({
      key: 'ok-1',
      content: '{"action":"sleep","seconds":5}',
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
      cost_micros: 120 * 1 + 30 * 2,
      model: MODEL,
      finish_reason: 'stop',
      replayed: false,
    });
    expect(res.latency_ms).toBeGreaterThanOrEqual(0);
    expect(await snapshot()).toEqual({ tokens: before.tokens - 150, dollars: before.dollars - 180, spent: before.spent + 180, requests: before.requests + 1 });
    const row = await h.callRow('ok-1');
    expect(row).toMatchObject({
      payer_id: 'alice', purpose: 'think', model: MODEL, status: 'succeeded', prompt_tokens: 120, completion_tokens: 30, cost_micros: 180,
      reserved_micros: 0, usage_estimated: false, attempts: 1, content: '{"action":"sleep","seconds":5}', error: null,
    });
    expect(row.worst_case_micros).toBe(worstCase(h.config, 50));
    expect(row.latency_ms).toBe(res.latency_ms);
    expect(row.finished_at).not.toBeNull();
  });

  it('sends the real chat-completions request: model, messages, limit, temperature, strict json_schema, key', async () => {
    const schema = { type: 'object', properties: { action: { type: 'string' } }, required: ['action'], additionalProperties: false };
    await h.call({ key: 'wire-1', temperature: 0.3, maxTokens: 77, responseFormat: { name: 'agent_action', schema } });
    const sent = h.fake.calls[h.fake.calls.length - 1];
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer fake-key');
    expect(sent.body).toMatchObject({
      model: MODEL,
      messages: MESSAGES,
      max_tokens: 77,
      temperature: 0.3,
      response_format: { type: 'json_schema', json_schema: { name: 'agent_action', schema, strict: true } },
    });
  });

  it('can name the limit max_completion_tokens for endpoints that want it', async () => {
    await h.call({ key: 'wire-2', maxTokens: 33 }, { config: h.withLlm({ maxTokensParam: 'max_completion_tokens' }) });
    const sent = h.fake.calls[h.fake.calls.length - 1].body;
    expect(sent.max_completion_tokens).toBe(33);
    expect(sent.max_tokens).toBeUndefined();
  });

  it('lets the system pay (payer null): only the budget is charged', async () => {
    h.fake.respond(() => ({ content: '{"score":70}', usage: { prompt_tokens: 10, completion_tokens: 5 } }));
    const before = await snapshot();
    const res = await h.call({ key: 'sys-1', payer: null, purpose: 'oracle_score' });
    expect(res.cost_micros).toBe(20);
    expect(await snapshot()).toEqual({ ...before, spent: before.spent + 20, requests: before.requests + 1 });
    expect(await h.callRow('sys-1')).toMatchObject({ payer_id: null, purpose: 'oracle_score', status: 'succeeded' });
  });

  it('estimates usage from text length when the provider reports none, and says so', async () => {
    h.fake.respond(() => ({ content: 'x'.repeat(40), usage: null }));
    const before = await snapshot();
    const res = await h.call({ key: 'nousage-1' });
    const chars = MESSAGES.reduce((n, m) => n + m.content.length, 0);
    const prompt = Math.ceil(chars / h.config.llm.charsPerTokenEstimate);
    expect(res.usage).toEqual({ prompt_tokens: prompt, completion_tokens: 10, total_tokens: prompt + 10, cached_tokens: 0, reasoning_tokens: 0 });
    expect(res.cost_micros).toBe(prompt + 20);
    expect(await h.tokens('alice')).toBe(before.tokens - prompt - 10);
    expect((await h.callRow('nousage-1')).usage_estimated).toBe(true);
  });

  it('returns output cut at maxTokens as it came, finish_reason length (validating it is the caller\'s business)', async () => {
    h.fake.respond(() => ({ content: '{"action":"' + 'y'.repeat(400) + '"}' }));
    const res = await h.call({ key: 'long-1', maxTokens: 10 });
    expect(res.finish_reason).toBe('length');
    expect(res.usage.completion_tokens).toBe(10);
    expect(res.content).toHaveLength(40);
    expect(() => JSON.parse(res.content)).toThrow();
  });
});

describe('idempotency', () => {
  it('a repeated key returns the stored result without calling the provider or charging again', async () => {
    h.fake.respond(() => ({ content: '{"action":"noop","reasoning":"first"}', usage: { prompt_tokens: 40, completion_tokens: 10 } }));
    const first = await h.call({ key: 'idem-1' });
    const after = await snapshot();
    h.fake.respond(() => ({ content: '{"action":"noop","reasoning":"second"}' }));
    const again = await h.call({ key: 'idem-1' });
    expect(again).toEqual({ ...first, replayed: true, rate_limited_ms: 0 });
    expect(await snapshot()).toEqual(after);
  });

  it('the same key for another payer is IDEMPOTENCY_CONFLICT and changes nothing', async () => {
    await h.call({ key: 'idem-2' });
    const before = { alice: await snapshot('alice'), bob: await snapshot('bob') };
    await rejectsWith(h.call({ key: 'idem-2', payer: 'bob' }), 'IDEMPOTENCY_CONFLICT');
    await rejectsWith(h.call({ key: 'idem-2', payer: null }), 'IDEMPOTENCY_CONFLICT');
    expect({ alice: await snapshot('alice'), bob: await snapshot('bob') }).toEqual(before);
  });

  it('twins racing on one key: one result; every request the provider answered is on the books', async () => {
    h.fake.respond(() => ({ content: NOOP_ACTION, usage: { prompt_tokens: 50, completion_tokens: 5 }, delayMs: 50 }));
    const before = await snapshot();
    const [a, b] = await Promise.all([h.call({ key: 'twin-1' }), h.call({ key: 'twin-1' })]);
    expect(a.content).toBe(b.content);
    expect(a.cost_micros).toBe(60);
    expect(b.cost_micros).toBe(60);
    const after = await snapshot();
    const requests = after.requests - before.requests;
    expect(requests).toBeGreaterThanOrEqual(1);
    // A twin that took the key over found the other's attempt open and charged it its worst case
    // (its outcome unknown then); when that attempt came back, its charge came down to its usage.
    expect({ tokens: before.tokens - after.tokens, dollars: before.dollars - after.dollars, spent: after.spent - before.spent }).toEqual({ tokens: 55 * requests, dollars: 60 * requests, spent: 60 * requests });
  });

  it('a worker killed after the provider answered: the retry calls again, but charges once', async () => {
    h.fake.respond(() => ({ content: NOOP_ACTION, usage: { prompt_tokens: 30, completion_tokens: 5 } }));
    const real = openAiClient(h.config.llm);
    const dying = {
      chat: {
        completions: {
          create: async (...args: Parameters<typeof real.chat.completions.create>) => {
            await real.chat.completions.create(...args);
            throw new Error('worker killed');
          },
        },
      },
    } as unknown as LlmClient;
    const before = await snapshot();
    await expect(h.call({ key: 'killed-1' }, { openai: dying })).rejects.toThrow('worker killed');
    expect(await snapshot()).toEqual({ ...before, requests: before.requests + 1 });
    expect(await h.callRow('killed-1')).toMatchObject({ status: 'failed', reserved_micros: 0, cost_micros: 0 });
    const res = await h.call({ key: 'killed-1' });
    expect(res.replayed).toBe(false);
    expect(await snapshot()).toEqual({ tokens: before.tokens - 35, dollars: before.dollars - 40, spent: before.spent + 40, requests: before.requests + 2 });
    expect((await h.callRow('killed-1')).attempts).toBe(2);
  });

  it('a retry finds an earlier attempt still open (its worker died): that attempt is charged its worst case, then the retry runs', async () => {
    h.fake.respond(() => ({ content: NOOP_ACTION, usage: { prompt_tokens: 30, completion_tokens: 5 } }));
    const worst = worstCase(h.config, 50);
    const worstTokens = promptTokenBound(MESSAGES, undefined, h.config.llm) + 50;
    const open = { key: 'crashed-1', payer: 'alice', purpose: null, model: MODEL, maxTokens: 50, worstCaseMicros: worst, worstCaseTokens: worstTokens, ownerToken: 'dead-worker' };
    await withTransaction(h.pool, (c) => claimCall(c, h.config, open));
    expect((await getBudgetStatus(h.pool)).reserved_micros).toBe(worst);
    const before = await snapshot();
    const res = await h.call({ key: 'crashed-1' });
    expect(res.replayed).toBe(false);
    expect(await h.callRow('crashed-1')).toMatchObject({ status: 'succeeded', attempts: 2, reserved_micros: 0, cost_micros: 40 });
    // The dead attempt may have been billed: its worst case is on the books, next to the retry's cost.
    expect(await snapshot()).toEqual({ tokens: before.tokens - worstTokens - 35, dollars: before.dollars - worst - 40, spent: before.spent + worst + 40, requests: before.requests + 1 });
    const abandoned = await h.pool.query('SELECT attempt, payer_id, cost_micros, tokens FROM llm_abandoned_attempts WHERE key = $1', ['crashed-1']);
    expect(abandoned.rows).toEqual([{ attempt: 1, payer_id: 'alice', cost_micros: worst, tokens: worstTokens }]);
    // A repeat replays: nothing more is charged.
    expect((await h.call({ key: 'crashed-1' })).replayed).toBe(true);
    expect((await snapshot()).spent).toBe(before.spent + worst + 40);
  });
});

describe('a caller that moved on to another key', () => {
  it('abandoning a key charges its open attempt its worst case once; a settled or unknown key is left alone', async () => {
    const worst = worstCase(h.config, 50);
    const worstTokens = promptTokenBound(MESSAGES, undefined, h.config.llm) + 50;
    await withTransaction(h.pool, (c) =>
      claimCall(c, h.config, { key: 'left-1', payer: 'alice', purpose: null, model: MODEL, maxTokens: 50, worstCaseMicros: worst, worstCaseTokens: worstTokens, ownerToken: 'dead' }),
    );
    const before = await snapshot();
    expect(await abandonLlmCall(h, 'left-1')).toBe(true);
    expect(await abandonLlmCall(h, 'left-1')).toBe(false);
    expect(await abandonLlmCall(h, 'ok-1')).toBe(false);
    expect(await abandonLlmCall(h, 'never-used')).toBe(false);
    expect(await snapshot()).toEqual({ ...before, tokens: before.tokens - worstTokens, dollars: before.dollars - worst, spent: before.spent + worst });
    expect(await h.callRow('left-1')).toMatchObject({ status: 'failed', reserved_micros: 0 });
  });
});

describe('provider failures', () => {
  it('429 then success: retried, charged once', async () => {
    h.fake.queue({ status: 429, headers: { 'retry-after-ms': '5' } });
    h.fake.respond(() => ({ content: NOOP_ACTION, usage: { prompt_tokens: 20, completion_tokens: 4 } }));
    const before = await snapshot();
    const res = await h.call({ key: 'retry-429' });
    expect(res.cost_micros).toBe(28);
    expect(await snapshot()).toEqual({ tokens: before.tokens - 24, dollars: before.dollars - 28, spent: before.spent + 28, requests: before.requests + 2 });
  });

  it('heartbeats only before a wait: none for a call answered at once, one before each retry\'s backoff', async () => {
    let beats = 0;
    await h.call({ key: 'beat-at-once' }, { heartbeat: () => beats++ });
    // A heartbeat before the first request would be a server round trip on every think.
    expect(beats).toBe(0);
    h.fake.queue({ status: 429, headers: { 'retry-after-ms': '5' } });
    await h.call({ key: 'beat-retried' }, { heartbeat: () => beats++ });
    expect(beats).toBe(1);
  });

  it('500 on every attempt: UNAVAILABLE after maxRetries, hold released, nothing charged, failure recorded', async () => {
    h.fake.respond(() => ({ status: 500 }));
    const before = await snapshot();
    const err = await rejectsWith(h.call({ key: 'fail-500' }), 'UNAVAILABLE');
    expect(err.details).toMatchObject({ reason: 'server_error', status: 500, attempts: h.config.llm.maxRetries + 1 });
    expect(await snapshot()).toEqual({ ...before, requests: before.requests + h.config.llm.maxRetries + 1 });
    const row = await h.callRow('fail-500');
    expect(row).toMatchObject({ status: 'failed', reserved_micros: 0, cost_micros: 0, prompt_tokens: 0 });
    expect(row.error).toContain('500');
  });

  it('a timeout: UNAVAILABLE, nothing charged (the provider reported nothing), hold released', async () => {
    h.fake.respond(() => ({ hang: true }));
    const before = await snapshot();
    const config = h.withLlm({ requestTimeoutMs: 200, maxRetries: 1 });
    const err = await rejectsWith(h.call({ key: 'timeout-1' }, { config }), 'UNAVAILABLE');
    expect(err.details).toMatchObject({ reason: 'timeout', attempts: 2 });
    expect(await snapshot()).toEqual({ ...before, requests: before.requests + 2 });
    expect(await h.callRow('timeout-1')).toMatchObject({ status: 'failed', reserved_micros: 0, cost_micros: 0 });
    // The activity's retry with the same key goes through once the provider answers again.
    h.fake.respond(() => ({ content: NOOP_ACTION, usage: { prompt_tokens: 10, completion_tokens: 1 } }));
    expect((await h.call({ key: 'timeout-1' })).cost_micros).toBe(12);
  });

  it('a request the provider rejects (400) is INVALID_ARGUMENT at once, not retried', async () => {
    h.fake.respond(() => ({ status: 400 }));
    const before = await snapshot();
    const err = await rejectsWith(h.call({ key: 'bad-400' }), 'INVALID_ARGUMENT');
    expect(err.details).toMatchObject({ reason: 'rejected', status: 400, attempts: 1 });
    expect(await snapshot()).toEqual({ ...before, requests: before.requests + 1 });
  });

  it('the endpoint chosen but none configured: a clear UNAVAILABLE, nothing held', async () => {
    const config = h.withLlm({ provider: 'endpoint', baseUrl: null, apiKey: null });
    const err = await rejectsWith(h.call({ key: 'noendpoint-1' }, { config }), 'UNAVAILABLE');
    expect(err.message).toContain('set OPENAI_API_KEY, or OPENAI_BASE_URL for any OpenAI-compatible server');
  });
});

describe('refusals before the call', () => {
  it('IN_DEBT when the payer\'s LLM token bucket is in debt; nothing sent or held', async () => {
    await h.agent('debtor', { tokens: 0 });
    const c = await h.pool.connect();
    try {
      await spend(c, { id: 'test-debt', principal: 'debtor', resource: 'llm_tokens', amount: 10, kind: 'test' });
    } finally {
      c.release();
    }
    const before = await snapshot('debtor');
    const err = await rejectsWith(h.call({ key: 'debt-1', payer: 'debtor' }), 'IN_DEBT');
    expect(err.details).toMatchObject({ resource: 'llm_tokens', available: -10 });
    expect(await snapshot('debtor')).toEqual(before);
    expect(await h.callRow('debt-1')).toBeUndefined();
  });

  it('QUOTA_EXCEEDED when the allowance cannot cover the worst case', async () => {
    const worst = worstCase(h.config, 50);
    await h.agent('poor', { dollars: worst - 1 });
    const before = await snapshot('poor');
    const err = await rejectsWith(h.call({ key: 'poor-1', payer: 'poor' }), 'QUOTA_EXCEEDED');
    expect(err.details).toMatchObject({ resource: 'llm_dollars', allowance_micros: worst - 1, needed_micros: worst });
    expect(await snapshot('poor')).toEqual(before);
    // A smaller completion limit fits.
    await h.call({ key: 'poor-2', payer: 'poor', maxTokens: 40 });
  });

  it('counts the payer\'s own running calls against its allowance', async () => {
    const worst = worstCase(h.config, 50);
    await h.agent('busy', { dollars: worst + Math.floor(worst / 2) });
    h.fake.respond(() => ({ content: NOOP_ACTION, delayMs: 1000 }));
    const results = await Promise.allSettled([h.call({ key: 'busy-1', payer: 'busy' }), h.call({ key: 'busy-2', payer: 'busy' })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.code).toBe('QUOTA_EXCEEDED');
  });

  it('BUDGET_EXHAUSTED when the system budget cannot cover the worst case', async () => {
    const spent = (await getBudgetStatus(h.pool)).spent_micros;
    const config = h.withLlm({ systemBudgetMicros: spent + worstCase(h.config, 50) - 1 });
    const before = await snapshot();
    const err = await rejectsWith(h.call({ key: 'budget-1' }, { config }), 'BUDGET_EXHAUSTED');
    expect(err.details).toMatchObject({ needed_micros: worstCase(h.config, 50), spent_micros: spent });
    expect(await snapshot()).toEqual(before);
    expect(await h.callRow('budget-1')).toBeUndefined();
    expect(await getBudgetStatus(h.pool, config)).toMatchObject({ remaining_micros: worstCase(h.config, 50) - 1, exhausted: false });
    // Raising the budget in configuration lets the same key through.
    await h.call({ key: 'budget-1' });
    // Spending it all: exhausted.
    const spentNow = (await getBudgetStatus(h.pool)).spent_micros;
    expect(await getBudgetStatus(h.pool, h.withLlm({ systemBudgetMicros: spentNow }))).toMatchObject({ remaining_micros: 0, exhausted: true });
    await getBudgetStatus(h.pool, h.config);
  });

  it('charges what a crashed caller held too long its worst case (its outcome is unknown); that makes no room', async () => {
    const worst = worstCase(h.config, 50);
    const worstTokens = promptTokenBound(MESSAGES, undefined, h.config.llm) + 50;
    const spent = (await getBudgetStatus(h.pool)).spent_micros;
    const config = h.withLlm({ systemBudgetMicros: spent + worst + Math.floor(worst / 2), staleReservationMs: 1 });
    await withTransaction(h.pool, (c) =>
      claimCall(c, config, { key: 'stale-1', payer: 'bob', purpose: null, model: MODEL, maxTokens: 50, worstCaseMicros: worst, worstCaseTokens: worstTokens, ownerToken: 'gone' }),
    );
    const bob = { tokens: await h.tokens('bob'), dollars: await h.dollars('bob') };
    await new Promise((r) => setTimeout(r, 5));
    await rejectsWith(h.call({ key: 'stale-2' }, { config }), 'BUDGET_EXHAUSTED');
    expect(await h.callRow('stale-1')).toMatchObject({ status: 'failed', reserved_micros: 0 });
    expect((await h.callRow('stale-1')).error).toContain('outcome unknown');
    expect({ tokens: await h.tokens('bob'), dollars: await h.dollars('bob') }).toEqual({ tokens: bob.tokens - worstTokens, dollars: bob.dollars - worst });
    expect(await getBudgetStatus(h.pool, h.config)).toMatchObject({ spent_micros: spent + worst, reserved_micros: 0 });
  });

  it('refuses malformed requests with INVALID_ARGUMENT', async () => {
    await rejectsWith(h.call({ key: '' }), 'INVALID_ARGUMENT');
    await rejectsWith(h.call({ key: 'bad-m', messages: [] }), 'INVALID_ARGUMENT');
    await rejectsWith(h.call({ key: 'bad-t', maxTokens: 0 }), 'INVALID_ARGUMENT');
    await rejectsWith(h.call({ key: 'bad-temp', temperature: 3 }), 'INVALID_ARGUMENT');
    await rejectsWith(h.call({ key: 'bad-payer', payer: 'no such payer!' }), 'INVALID_ARGUMENT');
    await rejectsWith(h.call({ key: 'bad-long', messages: [{ role: 'user', content: 'x'.repeat(h.config.llm.maxPromptChars + 1) }] }), 'INVALID_ARGUMENT');
    await rejectsWith(h.call({ key: 'bad-rf', responseFormat: { name: 'has space', schema: {} } }), 'INVALID_ARGUMENT');
    await rejectsWith(h.call({ key: 'ghost-1', payer: 'ghost' }), 'NOT_FOUND');
  });
});
