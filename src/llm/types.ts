/** One chat message as the OpenAI chat-completions API takes it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmUsage {
  prompt_tokens: number;
  /** Output tokens as billed, reasoning tokens included. */
  completion_tokens: number;
  total_tokens: number;
  /** Of prompt_tokens, those the provider served from its prompt cache. */
  cached_tokens: number;
  /** Of completion_tokens, those spent reasoning. */
  reasoning_tokens: number;
}

export interface LlmCallRequest {
  /** Caller-made idempotency key (1-256 characters): a repeat returns the first completed result. */
  key: string;
  /** The principal that pays (an agent id), or null: the system pays (the oracle's scorer). */
  payer: string | null;
  model: string;
  messages: ChatMessage[];
  /** Completion limit sent to the provider; the worst case reserved is priced from it. */
  maxTokens: number;
  temperature?: number;
  /**
   * Asks for JSON matching `schema` (response_format json_schema). `strict` (default true) needs a
   * schema that fully describes every object; free-form objects (an action's args) need false.
   */
  responseFormat?: { name: string; schema: Record<string, unknown>; strict?: boolean };
  /** Free label kept in the record for metrics, such as 'think' or 'oracle_score'. */
  purpose?: string;
}

export interface LlmCallResult {
  key: string;
  /** The message content (possibly not valid JSON: validating it is the caller's business). */
  content: string;
  usage: LlmUsage;
  cost_micros: number;
  /** Round trip of the provider request that answered. */
  latency_ms: number;
  model: string;
  /** 'stop', 'length' (cut at maxTokens), 'content_filter'... as the provider said; null if it did not. */
  finish_reason: string | null;
  /** True when this key had already completed and the stored result was returned. */
  replayed: boolean;
  /** Time spent waiting for the system-wide rate limit in this invocation. */
  rate_limited_ms: number;
}
