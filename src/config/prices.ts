import { invalid } from '../errors';
import type { EcologyConfig, LlmPrice } from './schema';

type Prices = Pick<EcologyConfig['llm'], 'prices'>;

/** Whether the price table lists `model` (an own key: names like `toString` are not models). */
export function isPricedModel(llm: Prices, model: string): boolean {
  return Object.prototype.hasOwnProperty.call(llm.prices, model);
}

/** Why `model` cannot be used, naming the models that can. */
export function unpricedModelMessage(llm: Prices, model: string, what = 'model'): string {
  return `${what} ${JSON.stringify(model)} has no configured price and cannot be used; priced models: ${Object.keys(llm.prices).sort().join(', ')}`;
}

/**
 * The price of a model the table lists (SPEC section 4: a model without a configured price cannot
 * be used); any other is INVALID_ARGUMENT naming the priced models.
 */
export function requirePricedModel(llm: Prices, model: string, what = 'model'): LlmPrice {
  if (!isPricedModel(llm, model)) throw invalid(unpricedModelMessage(llm, model, what), { model, priced_models: Object.keys(llm.prices).sort() });
  return llm.prices[model];
}

/**
 * An agent configuration (its artifact's content, SPEC section 8) may name only a priced model.
 * Other fields of the wrong type fall back to defaults when the agent thinks (agents/config.ts).
 */
export function checkAgentModel(llm: Prices, content: unknown): void {
  if (content === null || typeof content !== 'object' || Array.isArray(content)) return;
  const model = (content as Record<string, unknown>).model;
  if (typeof model === 'string' && model.length > 0) requirePricedModel(llm, model, 'the agent configuration\'s model');
}
