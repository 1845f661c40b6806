/**
 * Shared set-up for the LLM tests: a fresh migrated database, a fake OpenAI-compatible server, a
 * configuration pointing at both (model 'test-model' priced at 1 micro-dollar per input token and
 * 2 per output token), and helpers to make paying principals and read what they were charged.
 */
import type { Pool } from 'pg';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { grant, readBucket } from '../../src/buckets/store';
import { deepMerge, loadConfig } from '../../src/config/load';
import type { EcologyConfig } from '../../src/config/schema';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { callLlm, type LlmDeps } from '../../src/llm/call';
import { promptTokenBound } from '../../src/llm/estimate';
import { costMicros, priceOf } from '../../src/llm/pricing';
import type { ChatMessage, LlmCallRequest, LlmCallResult } from '../../src/llm/types';
import { getQuota } from '../../src/rights/quotas';
import { fakeLlmOverrides, startFakeLlm, type FakeLlm } from '../support/fakeLlm';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import type { ErrorInfo } from '../../src/errors';

export const MODEL = 'test-model';

export interface LlmHarness {
  db: TestDatabase;
  pool: Pool;
  fake: FakeLlm;
  config: EcologyConfig;
  /** A configuration with more `llm` keys changed. */
  withLlm(extra: Record<string, unknown>): EcologyConfig;
  /** An agent with no token accrual (so balances are exact), `tokens` granted, `dollars` allowance. */
  agent(id: string, opts?: { tokens?: number; dollars?: number }): Promise<void>;
  tokens(id: string): Promise<number>;
  dollars(id: string): Promise<number>;
  call(req: Partial<LlmCallRequest> & { key: string }, deps?: Partial<LlmDeps>): Promise<LlmCallResult>;
  callRow(key: string): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You are an agent in an economy. Answer with one JSON action.' },
  { role: 'user', content: 'Agent: alice\nCurrent time: 2030-01-01T00:00:00.000Z' },
];

/** The worst case callLlm reserves for MESSAGES and `maxTokens` under `config`. */
export function worstCase(config: EcologyConfig, maxTokens: number, messages = MESSAGES): number {
  return costMicros({ prompt_tokens: promptTokenBound(messages, undefined, config.llm), completion_tokens: maxTokens }, priceOf(config.llm, MODEL));
}

export async function setupLlm(llm: Record<string, unknown> = {}): Promise<LlmHarness> {
  const db = await createTestDatabase();
  await bootstrapGenesis(db.pool);
  const fake = await startFakeLlm();
  const base = { database: { url: db.url }, ...fakeLlmOverrides(fake, { prices: { [MODEL]: { input: 1_000_000, output: 2_000_000 } }, ...llm }) };
  const config = loadConfig({ overrides: base, env: {} });
  const pool = db.pool;
  const withClient = async <T>(fn: (c: import('pg').PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      return await fn(c);
    } finally {
      c.release();
    }
  };

  const h: LlmHarness = {
    db,
    pool,
    fake,
    config,
    withLlm: (extra) => loadConfig({ overrides: deepMerge(base, { llm: extra }), env: {} }),
    async agent(id, opts = {}) {
      const quotas = { ...config.quotas.operatorPrincipal, llm_token_rate: 0, llm_token_capacity: 100_000_000, llm_dollars: opts.dollars ?? 1_000_000 };
      await createOperatorPrincipal(pool, { ...config, quotas: { ...config.quotas, operatorPrincipal: quotas } }, { id, kind: 'agent', scrip: 0, compute: 0 });
      const tokens = opts.tokens ?? 1_000_000;
      if (tokens > 0) await withClient((c) => grant(c, { id: `test-grant:${id}`, principal: id, resource: 'llm_tokens', amount: tokens, kind: 'test' }));
    },
    tokens: (id) => withClient(async (c) => (await readBucket(c, id, 'llm_tokens')).available),
    dollars: (id) => withClient((c) => getQuota(c, id, 'llm_dollars')),
    call: (req, deps = {}) =>
      callLlm({ pool, config, ...deps }, { payer: 'alice', model: MODEL, messages: MESSAGES, maxTokens: 50, ...req }),
    async callRow(key) {
      const r = await pool.query('SELECT * FROM llm_calls WHERE key = $1', [key]);
      return r.rows[0];
    },
    async close() {
      await fake.close();
      await db.drop();
    },
  };
  return h;
}

/** Awaits a promise that must reject with an EcologyError of `code`; returns the error. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<ErrorInfo> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; message: string; details?: Record<string, unknown> };
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code ?? 'no code'}: ${err.message}`);
    return err as ErrorInfo;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
