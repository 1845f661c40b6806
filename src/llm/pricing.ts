import { requirePricedModel } from '../config/prices';
import type { EcologyConfig, LlmPrice } from '../config/schema';

type LlmConfig = EcologyConfig['llm'];

const PER_MILLION = 1_000_000n;

/** The configured price of a model; a model the table does not list is INVALID_ARGUMENT. */
export function priceOf(llm: Pick<LlmConfig, 'prices'>, model: string): LlmPrice {
  return requirePricedModel(llm, model);
}

/** Token counts as billed: cached prompt tokens and reasoning tokens are optional details. */
export interface BilledTokens {
  prompt_tokens: number;
  completion_tokens: number;
  /** Of prompt_tokens, those the provider served from its prompt cache (priced at cachedInput). */
  cached_tokens?: number;
  /** Output tokens spent reasoning (completion_tokens_details.reasoning_tokens). */
  reasoning_tokens?: number;
}

/**
 * The output tokens a provider bills: completion_tokens, which includes the reasoning tokens by
 * the OpenAI API's definition; a provider that reports more reasoning tokens than completion
 * tokens counted them apart, and they are billed on top.
 */
export function billedOutputTokens(t: BilledTokens): number {
  const reasoning = t.reasoning_tokens ?? 0;
  return reasoning > t.completion_tokens ? t.completion_tokens + reasoning : t.completion_tokens;
}

/**
 * Cost of a call in integer micro-dollars, rounded up once over the whole call (prices are per
 * million tokens, so a call's exact cost is usually fractional). BigInt keeps it exact. Cached
 * prompt tokens (at most all of them) are priced at cachedInput, the rest at input, and the output
 * as billedOutputTokens counts it.
 */
export function costMicros(tokens: BilledTokens, price: LlmPrice): number {
  const cachedPrice = price.cachedInput ?? price.input;
  const cachedReported = tokens.cached_tokens ?? 0;
  for (const n of [tokens.prompt_tokens, tokens.completion_tokens, cachedReported, tokens.reasoning_tokens ?? 0, price.input, price.output, cachedPrice]) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`token counts and prices must be non-negative integers, got ${n}`);
  }
  const cached = Math.min(cachedReported, tokens.prompt_tokens);
  const scaled =
    BigInt(tokens.prompt_tokens - cached) * BigInt(price.input) +
    BigInt(cached) * BigInt(cachedPrice) +
    BigInt(billedOutputTokens(tokens)) * BigInt(price.output);
  const micros = (scaled + PER_MILLION - 1n) / PER_MILLION;
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('cost exceeds the safe integer range');
  return Number(micros);
}
