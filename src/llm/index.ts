/** The LLM part: one call entry point (call.ts) and what callers and tests read about spend. */
export { callLlm, backoffMs, type LlmDeps } from './call';
export { getBudgetStatus, recordedSpend, type BudgetStatus, type RecordedSpend } from './budget';
export { llmBudgetCheck } from './audit';
export { openAiClient, NO_ENDPOINT_MESSAGE } from './client';
export { costMicros, priceOf } from './pricing';
export { LLM_RETRYABLE_CODES, isRetryableLlmError } from './retryable';
export type { ChatMessage, LlmCallRequest, LlmCallResult, LlmUsage } from './types';
