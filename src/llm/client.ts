import OpenAI from 'openai';
import type { EcologyConfig } from '../config/schema';
import { usesLocalModel } from '../config/provider';
import { EcologyError } from '../errors';
import { localModelClient } from './local/child';

type LlmConfig = EcologyConfig['llm'];

export const NO_ENDPOINT_MESSAGE = 'no LLM endpoint is configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for any OpenAI-compatible server';

const OPENAI_API = 'https://api.openai.com/v1';

/** Which provider and model the agents use, for `ecology up` to say. */
export function describeProvider(llm: LlmConfig): string {
  if (usesLocalModel(llm)) return `the local model ${llm.local.model} (CPU, ${llm.local.threads} threads; no dollars, its CPU time is charged as compute)`;
  return `${llm.baseUrl ?? OPENAI_API}, model ${llm.defaultModel}`;
}

/**
 * What of the `openai` client the ecology uses: chat completions and the endpoint's URL (for
 * messages). Every dependency that takes a client (tests pass their own) takes this.
 */
export type LlmClient = Pick<OpenAI, 'chat' | 'baseURL'>;

const clients = new Map<string, OpenAI>();

/**
 * The OpenAI client for the configured endpoint, one per endpoint and key in this process.
 * Retries are ours (call.ts), so that each attempt passes the shared rate limit: the client's own
 * are off. A local server that needs no key still gets a placeholder, which the client requires.
 */
export { usesLocalModel };

export function openAiClient(llm: LlmConfig): OpenAI {
  if (usesLocalModel(llm)) return localModelClient(llm);
  if (!llm.baseUrl && !llm.apiKey) throw new EcologyError('UNAVAILABLE', NO_ENDPOINT_MESSAGE, { reason: 'not_configured' });
  const cacheKey = JSON.stringify([llm.baseUrl, llm.apiKey, llm.requestTimeoutMs]);
  let client = clients.get(cacheKey);
  if (!client) {
    client = new OpenAI({
      apiKey: llm.apiKey ?? 'not-needed',
      // Explicit, so the configuration (which already read OPENAI_BASE_URL) is the only source.
      baseURL: llm.baseUrl ?? OPENAI_API,
      timeout: llm.requestTimeoutMs,
      maxRetries: 0,
    });
    clients.set(cacheKey, client);
  }
  return client;
}
