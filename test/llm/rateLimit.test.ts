/**
 * The system-wide rate limit, shared through PostgreSQL by every worker: calls beyond the limit
 * wait (in the calling process) until the window moves, and a wait longer than allowed fails.
 */
import { Pool } from 'pg';
import { getBudgetStatus } from '../../src/llm/call';
import { rejectsWith, setupLlm, type LlmHarness } from './harness';

let h: LlmHarness;
/** A second pool on the same database: another worker. */
let other: Pool;

beforeAll(async () => {
  h = await setupLlm();
  await h.agent('alice');
  other = new Pool({ connectionString: h.db.url, max: 5 });
});
afterAll(async () => {
  await other.end();
  await h.close();
});

it('two workers together get the per-window number of requests at once; the rest wait for the window to move', async () => {
  // 2 requests per 3 s: the first two go at once, each further one waits for 1.5 s of refill.
  const config = h.withLlm({ requestsPerMinute: 2, rateWindowMs: 3000, maxRateWaitMs: 60_000 });
  const sleeps: number[] = [];
  const sleep = (ms: number) => {
    sleeps.push(ms);
    return new Promise<void>((r) => setTimeout(r, ms));
  };
  const results = await Promise.all([
    h.call({ key: 'w1-a' }, { config, sleep }),
    h.call({ key: 'w1-b' }, { config, sleep }),
    h.call({ key: 'w2-a' }, { config, sleep, pool: other }),
    h.call({ key: 'w2-b' }, { config, sleep, pool: other }),
  ]);
  const waited = results.filter((r) => r.rate_limited_ms > 0);
  expect(results.length - waited.length).toBe(2);
  expect(waited).toHaveLength(2);
  expect(sleeps.length).toBeGreaterThanOrEqual(2);
  // The provider saw the two admitted at once and the later ones only after the window moved on.
  const times = h.fake.calls.map((c) => c.receivedAt).sort((a, b) => a - b);
  expect(times).toHaveLength(4);
  expect(times[3] - times[0]).toBeGreaterThanOrEqual(1500 - 50);
});

it('a wait longer than maxRateWaitMs fails UNAVAILABLE (retryable) and gives back the hold', async () => {
  const config = h.withLlm({ requestsPerMinute: 1, rateWindowMs: 600_000, maxRateWaitMs: 100 });
  // Bring the shared bucket to the new limit: the first call under it is admitted...
  await h.call({ key: 'slow-0' }, { config }).catch(() => undefined);
  const requests = h.fake.calls.length;
  // ...and the next would have to wait about ten minutes.
  const err = await rejectsWith(h.call({ key: 'slow-1' }, { config }), 'UNAVAILABLE');
  expect(err.details).toMatchObject({ reason: 'rate_limited' });
  expect(err.details?.retry_after_ms).toBeGreaterThan(100);
  expect(h.fake.calls.length).toBe(requests);
  expect((await getBudgetStatus(h.pool)).reserved_micros).toBe(0);
  expect(await h.callRow('slow-1')).toMatchObject({ status: 'failed', reserved_micros: 0, cost_micros: 0 });
});

it('counts tokens per window too', async () => {
  // Each call needs about 50 (maxTokens) + its prompt estimate; 80 tokens per window admits one.
  const config = h.withLlm({ tokensPerMinute: 80, requestsPerMinute: 1000, rateWindowMs: 600_000, maxRateWaitMs: 100 });
  await h.call({ key: 'tok-0' }, { config }).catch(() => undefined);
  const err = await rejectsWith(h.call({ key: 'tok-1' }, { config }), 'UNAVAILABLE');
  expect(err.details).toMatchObject({ reason: 'rate_limited' });
});
