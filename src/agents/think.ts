import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { isEcologyError } from '../errors';
import { abandonLlmCall, callLlm } from '../llm/call';
import type { LlmClient } from '../llm/client';
import { actionJsonSchema, ACTION_WRAPPING_DEPTH, actsQuickly, clip, describeAction, parseAction, type AgentAction } from './actions';
import { agentConfigFrom, type AgentConfig } from './config';
import { marketPrompt } from './marketView';
import { buildPrompt, type ChatMessage } from './prompt';
import { readPromptFacts, type StoredThought } from './promptFacts';
import { beginThink, finishThink, type ActionRow } from './queries';
import { confirmGone } from './runs';
import { iterationKey, type ThinkInput, type ThinkSummary } from './types';

export interface ThinkDeps {
  pool: Pool;
  config: EcologyConfig;
  /** An OpenAI client to use instead of one made from configuration (tests). */
  openai?: LlmClient;
  /** From the think activity: its heartbeat while the call waits, and its cancellation, which aborts the provider request. */
  heartbeat?: () => void;
  signal?: AbortSignal;
}

interface StoredPrompt {
  model: string;
  max_tokens: number;
  temperature: number;
  messages: ChatMessage[];
}

/** The LLM key of a think attempt: the workflow's retries of a failed think each get their own. */
function thinkLlmKey(key: string, attempt: number): string {
  return attempt === 0 ? key : `${key}:think${attempt}`;
}

/** What the workflow gets back for a thought already recorded (a retried activity). */
export function thinkSummaryOf(row: Pick<ActionRow, 'status' | 'error' | 'action' | 'action_type' | 'summary'>): ThinkSummary {
  if (row.status === 'invalid') return { kind: 'invalid', reason: row.error?.message ?? 'invalid output' };
  const quick = row.action !== null && actsQuickly(row.action as AgentAction);
  return { kind: 'action', action: row.action_type ?? 'unknown', summary: row.summary ?? row.action_type ?? '', quick };
}

/**
 * Builds the prompt from PostgreSQL (it never travels through workflow history; one statement
 * reads all of it, and what an earlier attempt stored) and stores it under the iteration's key, so
 * a retry after a crash re-sends the same request under the same LLM key.
 */
async function promptFor(deps: ThinkDeps, input: ThinkInput, key: string): Promise<{ row: StoredThought; prompt: StoredPrompt } | 'missing'> {
  const facts = await readPromptFacts(deps.pool, { agentId: input.agentId, key, prompt: marketPrompt(deps.config) });
  const existing = facts.stored;
  if (existing && (existing.status !== 'thinking' || (existing.attempt === input.attempt && existing.prompt))) {
    return { row: existing, prompt: existing.prompt as StoredPrompt };
  }
  if (!facts.agent) return 'missing';
  const agentConfig: AgentConfig = agentConfigFrom(facts.content, deps.config);
  const messages = buildPrompt(facts, deps.config, { agentId: input.agentId, iteration: input.iteration, agentConfig, now: new Date() });
  const prompt: StoredPrompt = { model: agentConfig.model, max_tokens: agentConfig.max_tokens, temperature: agentConfig.temperature, messages };
  const row = await beginThink(deps.pool, { key, agentId: input.agentId, iteration: input.iteration, attempt: input.attempt, prompt });
  return { row, prompt: row.attempt === input.attempt && row.prompt ? (row.prompt as StoredPrompt) : prompt };
}

/**
 * Step 4 of the loop: one LLM call (actual usage charged by callLlm, once per key), its output
 * validated as one action and stored under `agentId:iteration`. Returns only a small summary.
 * Output that is not one valid action is a failed action that still paid for its tokens.
 */
/**
 * The reasoning an answer may hold: at most one character per token of half its completion budget
 * (no token covers less than a character), so that a model following the response format as a
 * grammar (the local one) still has room to close the action before max_tokens cuts it.
 */
function reasoningCharsFor(maxTokens: number, maxReasoningChars: number): number {
  return Math.min(maxReasoningChars, Math.floor(maxTokens / 2));
}

export async function think(deps: ThinkDeps, input: ThinkInput): Promise<ThinkSummary> {
  const key = iterationKey(input.agentId, input.iteration);
  const p = await promptFor(deps, input, key);
  if (p === 'missing') {
    await confirmGone(deps.pool, input.agentId);
    return { kind: 'blocked', reason: 'missing', message: `${input.agentId} is no longer an agent`, until: null };
  }
  if (p.row.status !== 'thinking') return thinkSummaryOf(p.row);

  const a = deps.config.agents;
  const llmKey = thinkLlmKey(key, input.attempt);
  // The workflow retries a failed think under a new key: the previous one's call, if its worker
  // died in it, is charged now (its outcome is unknown).
  if (input.attempt > 0) await abandonLlmCall(deps, thinkLlmKey(key, input.attempt - 1));
  let content: string;
  let cut = false;
  let cost = 0;
  let tokens = 0;
  try {
    const res = await callLlm(
      { pool: deps.pool, config: deps.config, openai: deps.openai, heartbeat: deps.heartbeat, signal: deps.signal },
      {
        key: llmKey,
        payer: input.agentId,
        model: p.prompt.model,
        messages: p.prompt.messages,
        maxTokens: p.prompt.max_tokens,
        temperature: p.prompt.temperature,
        // Not strict: an action's args and content are free-form objects, which strict mode cannot
        // describe. parseAction (zod) is the real check.
        responseFormat: { name: 'agent_action', schema: actionJsonSchema(reasoningCharsFor(p.prompt.max_tokens, a.maxReasoningChars)), strict: false },
        purpose: 'think',
      },
    );
    content = res.content;
    cut = res.finish_reason === 'length';
    cost = res.cost_micros;
    tokens = res.usage.total_tokens;
  } catch (e) {
    if (!isEcologyError(e)) throw e;
    const until = typeof e.details?.recovers_at === 'string' ? e.details.recovers_at : null;
    if (e.code === 'BUDGET_EXHAUSTED') return { kind: 'blocked', reason: 'budget', message: e.message, until: null };
    if (e.code === 'IN_DEBT') return { kind: 'blocked', reason: 'llm-debt', message: e.message, until };
    if (e.code === 'QUOTA_EXCEEDED') return { kind: 'blocked', reason: 'quota', message: e.message, until: null };
    if (e.code === 'UNAVAILABLE') throw e;
    // The request itself was refused (a bad model name in the agent's configuration, say): a failed
    // action, so the loop goes on and the agent sees why.
    const reason = `the LLM call was refused: ${e.code}: ${e.message}`;
    await finishThink(deps.pool, {
      key, status: 'invalid', llmKey, actionType: null, action: null, reasoning: null, rawOutput: null,
      error: { code: e.code, message: clip(reason, 1000) }, summary: 'think failed', costMicros: 0, tokens: 0, keepPrompt: a.keepPrompts,
    });
    return { kind: 'invalid', reason };
  }

  const parsed = parseAction(content, a.maxOutputBytes, deps.config.limits.maxJsonDepth + ACTION_WRAPPING_DEPTH);
  if (!parsed.ok && cut) parsed.reason = `the output was cut at max_tokens (${p.prompt.max_tokens}); ${parsed.reason}`;
  if (!parsed.ok) {
    await finishThink(deps.pool, {
      key, status: 'invalid', llmKey, actionType: null, action: null, reasoning: null, rawOutput: clip(content, a.maxStoredRawChars),
      error: { code: 'INVALID_ACTION', message: clip(parsed.reason, 1000) }, summary: 'invalid output', costMicros: cost, tokens, keepPrompt: a.keepPrompts,
    });
    return { kind: 'invalid', reason: parsed.reason };
  }
  const action: AgentAction = parsed.action;
  const { reasoning, ...stored } = action;
  const summary = describeAction(action);
  await finishThink(deps.pool, {
    key, status: 'ready', llmKey, actionType: action.action, action: stored, reasoning: reasoning === undefined ? null : clip(reasoning, a.maxReasoningChars),
    rawOutput: null, error: null, summary, costMicros: cost, tokens, keepPrompt: a.keepPrompts,
  });
  return { kind: 'action', action: action.action, summary, quick: actsQuickly(action) };
}
