import type { EcologyConfig } from '../config/schema';
import type { ChatMessage } from './types';

type LlmConfig = EcologyConfig['llm'];

/** Characters of the prompt as the caller sees them (what maxPromptChars limits). */
export function promptChars(messages: ChatMessage[]): number {
  return messages.reduce((n, m) => n + m.content.length, 0);
}

/**
 * An upper bound of the prompt tokens any byte-level tokenizer can report: every token covers at
 * least one UTF-8 byte, plus the chat template's tokens per message and per request. A
 * response-format schema is sent to the model as part of the prompt, so it counts too.
 */
export function promptTokenBound(messages: ChatMessage[], schema: unknown, llm: Pick<LlmConfig, 'tokenOverheadPerMessage' | 'tokenOverheadPerRequest'>): number {
  const bytes = messages.reduce((n, m) => n + Buffer.byteLength(m.content, 'utf8') + Buffer.byteLength(m.role, 'utf8'), 0);
  const schemaBytes = schema === undefined ? 0 : Buffer.byteLength(JSON.stringify(schema), 'utf8');
  return bytes + schemaBytes + messages.length * llm.tokenOverheadPerMessage + llm.tokenOverheadPerRequest;
}

/** A typical-case estimate of tokens for text, for the rate limiter and when a provider reports no usage. */
export function estimateTokens(chars: number, llm: Pick<LlmConfig, 'charsPerTokenEstimate'>): number {
  return Math.ceil(chars / llm.charsPerTokenEstimate);
}
