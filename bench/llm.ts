/**
 * `npm run bench -- llm [--iterations N]`: one real agent thinking N consecutive iterations.
 *   - local think: the bundled local model (real inferences): think latency p50/p99 (the LLM call
 *     as the call record has it), CPU per think (charged as compute), prompt tokens evaluated again;
 *   - hosted, priced as billed: the same agent against the stub provider, which reports cached
 *     prompt tokens as hosted providers do; dollars per iteration at gpt-4o-mini's prices with and
 *     without prefix caching, prompt tokens per iteration, the share in the stable prefix (the
 *     system message) and whether that prefix reaches the providers' 1,024-token minimum.
 */
import type { Pool } from 'pg';
import { think } from '../src/agents/think';
import { createOperatorPrincipal } from '../src/artifacts/operator';
import { grant } from '../src/buckets/store';
import { deepMerge, loadConfig } from '../src/config/load';
import { withLlmProvider } from '../src/config/provider';
import type { EcologyConfig } from '../src/config/schema';
import { bootstrapGenesis } from '../src/genesis/bootstrap';
import { stopLocalModel } from '../src/llm/local/child';
import { costMicros, priceOf } from '../src/llm/pricing';
import { fakeLlmOverrides, startFakeLlm } from '../test/support/fakeLlm';
import { createBenchDatabase } from './support/db';
import { quantile } from './support/measure';
import { machine } from './support/report';
import type { Benchmark, ScenarioResult } from './support/types';

const HOSTED_MODEL = 'gpt-4o-mini';
const CACHE_MIN_TOKENS = 1024;
const LOCAL_TARGET_MS = 3000;

interface CallFigures {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  latency_ms: number;
  compute_ms: number;
  cost_micros: number;
}

async function agent(pool: Pool, config: EcologyConfig, id: string): Promise<void> {
  const quotas = { ...config.quotas.operatorPrincipal, compute_capacity: 100_000_000, llm_token_capacity: 100_000_000, llm_dollars: 100_000_000 };
  const c = deepMerge(config as never, { quotas: { operatorPrincipal: quotas } }) as unknown as EcologyConfig;
  await createOperatorPrincipal(pool, c, { id, kind: 'agent', scrip: 100, compute: 1_000_000, content: {} });
  const client = await pool.connect();
  try {
    await grant(client, { id: `bench-grant:${id}`, principal: id, resource: 'llm_tokens', amount: 10_000_000, kind: 'bench' });
  } finally {
    client.release();
  }
}

/** Thinks `n` consecutive iterations and returns their call records, oldest first. */
async function thinkRepeatedly(pool: Pool, config: EcologyConfig, id: string, n: number, log: (l: string) => void): Promise<CallFigures[]> {
  for (let i = 0; i < n; i++) {
    const s = await think({ pool, config }, { agentId: id, iteration: i, attempt: 0 });
    log(`${id} iteration ${i}: ${s.kind === 'action' ? s.summary : s.kind}`);
  }
  const r = await pool.query<CallFigures>(
    'SELECT prompt_tokens, completion_tokens, cached_tokens, latency_ms, compute_ms, cost_micros FROM llm_calls WHERE payer_id = $1 ORDER BY created_at',
    [id],
  );
  return r.rows;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export const llmBenchmark: Benchmark = {
  description: 'The LLM layer: a local think on the bundled model, and the dollars of a hosted model priced as billed, with and without prefix caching.',
  options: ['iterations'],
  async run({ log, options }) {
    const iterations = Number(options?.iterations ?? 6);
    const db = await createBenchDatabase();
    const fake = await startFakeLlm();
    try {
      await bootstrapGenesis(db.pool);

      // Hosted, priced as billed: the stub reports cached tokens as providers do.
      const hosted = loadConfig({ overrides: deepMerge({ database: { url: db.url } }, fakeLlmOverrides(fake, { defaultModel: HOSTED_MODEL })) });
      await agent(db.pool, hosted, 'bench_hosted');
      const billed = await thinkRepeatedly(db.pool, hosted, 'bench_hosted', iterations, log);
      const price = priceOf(hosted.llm, HOSTED_MODEL);
      const uncached = billed.map((c) => costMicros({ ...c, cached_tokens: 0 }, price));
      const stableChars = fake.calls.map((c) => c.body.messages[0].content.length);
      const allChars = fake.calls.map((c) => c.body.messages.reduce((n, m) => n + m.content.length, 0));
      const promptTokens = mean(billed.map((c) => c.prompt_tokens));
      const stableTokens = mean(stableChars) / hosted.llm.charsPerTokenEstimate;
      const stableIdentical = fake.calls.every((c) => c.body.messages[0].content === fake.calls[0].body.messages[0].content);
      // The later iterations (the first has nothing cached yet).
      const later = billed.slice(1);

      // Local: real inferences on the bundled model.
      const local = withLlmProvider(loadConfig({ overrides: { database: { url: db.url }, llm: { provider: 'local', requestTimeoutMs: 600_000, local: { inferenceTimeoutMs: 600_000, queueTimeoutMs: 600_000 } } } }));
      await agent(db.pool, local, 'bench_local');
      const localCalls = await thinkRepeatedly(db.pool, local, 'bench_local', iterations, log);
      // The first think also loads the model and evaluates the whole prompt: the steady state is the rest.
      const steady = localCalls.slice(1);
      const latencies = steady.map((c) => c.latency_ms).sort((a, b) => a - b);
      const p50 = quantile(latencies, 0.5);
      const results: ScenarioResult[] = [
        {
          name: `local think (${local.llm.local.model}, ${local.llm.local.threads} threads)`,
          ops_per_s: 1000 / mean(latencies),
          ops: steady.length,
          p50_ms: p50,
          p99_ms: quantile(latencies, 0.99),
          target: `p50 <= ${LOCAL_TARGET_MS} ms`,
          target_met: p50 <= LOCAL_TARGET_MS,
          figures: {
            first_think_ms: localCalls[0]?.latency_ms ?? 0,
            cpu_ms_per_think: mean(steady.map((c) => c.compute_ms)),
            prompt_tokens: mean(steady.map((c) => c.prompt_tokens)),
            prompt_tokens_reused: mean(steady.map((c) => c.cached_tokens)),
            completion_tokens: mean(steady.map((c) => c.completion_tokens)),
          },
        },
        {
          name: `hosted ${HOSTED_MODEL}, priced as billed (stub usage)`,
          ops_per_s: 0,
          ops: billed.length,
          target: `stable prefix >= ${CACHE_MIN_TOKENS} tokens, identical every iteration`,
          target_met: stableTokens >= CACHE_MIN_TOKENS && stableIdentical,
          figures: {
            prompt_tokens_per_iteration: promptTokens,
            stable_prefix_tokens: stableTokens,
            stable_prefix_share_pct: (100 * mean(stableChars)) / mean(allChars),
            cached_tokens_per_iteration: mean(later.map((c) => c.cached_tokens)),
            micro_usd_per_iteration_billed: mean(later.map((c) => c.cost_micros)),
            micro_usd_per_iteration_uncached: mean(uncached.slice(1)),
          },
        },
      ];
      const notes = [
        `Machine: ${machine()}.`,
        `One agent (the default system prompt, 100 scrip) thinks ${iterations} consecutive iterations of the real agent loop's think step (prompt from PostgreSQL, one LLM call, the action stored).`,
        `Local: ${local.llm.local.model} through node-llama-cpp (CPU, ${local.llm.local.threads} threads, ${local.llm.local.sequences} sequences of ${local.llm.local.contextSize} tokens). Latency is the call record's (the request to the loopback endpoint, the queue included); the first think (model load and the whole prompt evaluated) is left out of p50/p99 and shown as first_think_ms. prompt_tokens_reused: the stable prefix kept evaluated between thinks, not evaluated again.`,
        `Hosted: the stub provider (test/support/fakeLlm.ts) counts 4 characters a token and reports cached tokens as providers do (the prefix shared with an earlier request, in 128-token blocks, from 1,024 tokens); priced at ${HOSTED_MODEL}'s configured prices (input ${price.input}, cached input ${price.cachedInput ?? price.input}, output ${price.output} micro-dollars per million tokens). The dollar figures leave out the first iteration (nothing cached yet). The stable prefix is the system message: the answer rules, the genesis method list, the agent's own system prompt and id.`,
      ].join('\n\n');
      return { results, notes };
    } finally {
      await stopLocalModel();
      await fake.close();
      await db.drop();
    }
  },
};
