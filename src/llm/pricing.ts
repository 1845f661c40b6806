import { requirePricedModel } from '../config/prices';
import type { EcologyConfig, LlmPrice } from '../config/schema';

type LlmConfig = EcologyConfig['llm'];

const PER_MILLION = 1_000_000n;

/** The configured price of a model; a model the table does not list is INVALID_ARGUMENT. */
export function priceOf(llm: Pick<LlmConfig, 'prices'>, model: string): LlmPrice {
  return requirePricedModel(llm, model);
}

/**
 * Cost of a call in integer micro-dollars, rounded up once over the whole call (prices are per
 * million tokens, so a call's exact cost is usually fractional). BigInt keeps it exact.
 */
export function costMicros(tokens: { prompt_tokens: number; completion_tokens: number }, price: LlmPrice): number {
  for (const n of [tokens.prompt_tokens, tokens.completion_tokens, price.input, price.output]) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`token counts and prices must be non-negative integers, got ${n}`);
  }
  const scaled = BigInt(tokens.prompt_tokens) * BigInt(price.input) + BigInt(tokens.completion_tokens) * BigInt(price.output);
  const micros = (scaled + PER_MILLION - 1n) / PER_MILLION;
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('cost exceeds the safe integer range');
  return Number(micros);
}
