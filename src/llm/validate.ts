import { requirePricedModel } from '../config/prices';
import type { EcologyConfig } from '../config/schema';
import { invalid } from '../errors';
import { artifactId, parseArgs } from '../validation';
import { promptChars } from './estimate';
import type { LlmCallRequest } from './types';

const MAX_KEY_LENGTH = 256;
/** The integer columns of llm_calls. */
const MAX_INT4 = 2_147_483_647;
const ROLES = new Set(['system', 'user', 'assistant']);
/** OpenAI's rule for a response-format name. */
const FORMAT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Refuses a malformed request before anything is reserved (INVALID_ARGUMENT, not retryable). */
export function validateLlmRequest(config: EcologyConfig, req: LlmCallRequest): void {
  if (typeof req.key !== 'string' || req.key.length === 0 || req.key.length > MAX_KEY_LENGTH || req.key.includes('\u0000')) {
    throw invalid(`LLM call key must be 1-${MAX_KEY_LENGTH} characters without NUL`);
  }
  if (req.payer !== null) parseArgs(artifactId, req.payer, 'payer');
  if (typeof req.model !== 'string' || req.model.length === 0 || req.model.length > 200) throw invalid('model must be a name of 1-200 characters');
  requirePricedModel(config.llm, req.model);
  if (!Array.isArray(req.messages) || req.messages.length === 0) throw invalid('messages must be a non-empty list');
  for (const m of req.messages) {
    if (!m || !ROLES.has(m.role) || typeof m.content !== 'string') throw invalid('each message needs a role (system, user, assistant) and a string content');
  }
  const chars = promptChars(req.messages);
  if (chars > config.llm.maxPromptChars) throw invalid(`prompt of ${chars} characters is over the ${config.llm.maxPromptChars} allowed`, { chars, max: config.llm.maxPromptChars });
  if (!Number.isSafeInteger(req.maxTokens) || req.maxTokens < 1 || req.maxTokens > MAX_INT4) throw invalid('maxTokens must be a positive whole number');
  if (req.temperature !== undefined && !(Number.isFinite(req.temperature) && req.temperature >= 0 && req.temperature <= 2)) {
    throw invalid('temperature must be between 0 and 2');
  }
  if (req.responseFormat !== undefined) {
    if (!FORMAT_NAME.test(req.responseFormat.name)) throw invalid('response format name must be 1-64 characters of A-Z a-z 0-9 _ -');
    const s: unknown = req.responseFormat.schema;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) throw invalid('response format schema must be a JSON object');
  }
  if (req.purpose !== undefined && (typeof req.purpose !== 'string' || req.purpose.length > 64)) throw invalid('purpose must be at most 64 characters');
}
