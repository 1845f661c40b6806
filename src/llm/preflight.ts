import type { EcologyConfig } from '../config/schema';
import { openAiClient } from './client';
import { classifyProviderError, toCallerError } from './providerErrors';

export type ProbeResult = { ok: true; endpoint: string; model: string; latencyMs: number } | { ok: false; endpoint: string; model: string; message: string };

/**
 * One real chat completion (llm.defaultModel, a few tokens) to the configured endpoint: `up
 * --preflight` and the start of `ecology up` say at once when the URL, the key or the model is
 * wrong, instead of the agents finding out one think at a time. It bypasses the ledger on purpose:
 * it runs before the database may exist, and costs a few tokens.
 */
export async function probeLlmEndpoint(llm: EcologyConfig['llm']): Promise<ProbeResult> {
  const openai = openAiClient(llm);
  const endpoint = openai.baseURL;
  const model = llm.defaultModel;
  const started = Date.now();
  try {
    const body = { model, messages: [{ role: 'user', content: 'Reply with OK.' }], [llm.maxTokensParam]: llm.preflightMaxTokens };
    await openai.chat.completions.create(body as never, { timeout: llm.requestTimeoutMs, maxRetries: 0 });
    return { ok: true, endpoint, model, latencyMs: Date.now() - started };
  } catch (e) {
    const failure = classifyProviderError(e);
    const message = failure ? toCallerError(failure, 1, endpoint).message : `${(e as Error).message ?? String(e)} (${endpoint})`;
    return { ok: false, endpoint, model, message };
  }
}
