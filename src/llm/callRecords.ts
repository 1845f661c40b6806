import type { PoolClient } from 'pg';
import '../db/int8';
import type { LlmCallResult } from './types';

/** SQL of table llm_calls: one row per idempotency key. */
export interface CallRow {
  key: string;
  payer_id: string | null;
  model: string;
  status: 'reserved' | 'succeeded' | 'failed';
  worst_case_micros: number;
  /** The token worst case of the current attempt (0 for calls recorded before it was kept). */
  worst_case_tokens: number;
  reserved_micros: number;
  max_tokens: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  compute_ms: number;
  cost_micros: number;
  latency_ms: number | null;
  attempts: number;
  owner_token: string | null;
  finish_reason: string | null;
  content: string | null;
}

export interface OpenCall {
  key: string;
  payer: string | null;
  purpose: string | null;
  model: string;
  maxTokens: number;
  worstCaseMicros: number;
  /** The most tokens this attempt can be billed: the prompt bound plus maxTokens. */
  worstCaseTokens: number;
  ownerToken: string;
}

const COLUMNS = `key, payer_id, model, status, worst_case_micros, worst_case_tokens, reserved_micros, max_tokens, prompt_tokens, completion_tokens,
  cached_tokens, reasoning_tokens, compute_ms, cost_micros, latency_ms, attempts, owner_token, finish_reason, content`;

/** Inserts a new call holding its worst case; false when the key exists already. */
export async function insertOpenCall(client: PoolClient, c: OpenCall): Promise<boolean> {
  const r = await client.query(
    `INSERT INTO llm_calls (key, payer_id, purpose, model, status, worst_case_micros, reserved_micros, max_tokens, attempts, owner_token, worst_case_tokens)
     VALUES ($1, $2, $3, $4, 'reserved', $5, $5, $6, 1, $7, $8)
     ON CONFLICT (key) DO NOTHING RETURNING key`,
    [c.key, c.payer, c.purpose, c.model, c.worstCaseMicros, c.maxTokens, c.ownerToken, c.worstCaseTokens],
  );
  return r.rowCount === 1;
}

export async function lockCall(client: PoolClient, key: string): Promise<CallRow | null> {
  const r = await client.query<CallRow>(`SELECT ${COLUMNS} FROM llm_calls WHERE key = $1 FOR UPDATE`, [key]);
  return r.rows[0] ?? null;
}

/** A new attempt at a call that did not complete (an earlier attempt failed or crashed). */
export async function reopenCall(client: PoolClient, c: OpenCall): Promise<void> {
  await client.query(
    `UPDATE llm_calls SET status = 'reserved', purpose = $2, model = $3, worst_case_micros = $4, reserved_micros = $4, max_tokens = $5,
       attempts = attempts + 1, owner_token = $6, worst_case_tokens = $7, reserved_at = now(), finished_at = NULL
     WHERE key = $1`,
    [c.key, c.purpose, c.model, c.worstCaseMicros, c.maxTokens, c.ownerToken, c.worstCaseTokens],
  );
}

export interface Completion {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  /** The provider's usage object as it reported it, null when it reported none. */
  usage_details: unknown;
  /** CPU time of a local inference, charged to the payer's compute bucket; 0 for a hosted provider. */
  compute_ms: number;
  usage_estimated: boolean;
  cost_micros: number;
  latency_ms: number;
  finish_reason: string | null;
  content: string;
}

export async function markFailed(client: PoolClient, key: string, error: string): Promise<void> {
  await client.query(
    `UPDATE llm_calls SET status = 'failed', reserved_micros = 0, error = $2, owner_token = NULL, finished_at = now() WHERE key = $1`,
    [key, error],
  );
}

/** What a payer's other running calls hold (its allowance must cover them and the new one). */
export async function heldByPayer(client: PoolClient, payer: string, exceptKey: string): Promise<number> {
  const r = await client.query<{ held: number }>(
    `SELECT COALESCE(sum(reserved_micros), 0)::bigint AS held FROM llm_calls WHERE payer_id = $1 AND status = 'reserved' AND key <> $2`,
    [payer, exceptKey],
  );
  return r.rows[0].held;
}

/**
 * Locks the reservations older than `olderThanMs` (their caller crashed and never came back).
 * Rows a running settlement has locked are skipped, not waited for.
 */
export async function lockStaleCalls(client: PoolClient, olderThanMs: number): Promise<CallRow[]> {
  const r = await client.query<CallRow>(
    `SELECT ${COLUMNS} FROM llm_calls WHERE status = 'reserved' AND reserved_at < now() - $1 * interval '1 millisecond'
     ORDER BY key FOR UPDATE SKIP LOCKED`,
    [olderThanMs],
  );
  return r.rows;
}

/** The stored result of a completed call. */
export function resultOf(row: CallRow, replayed: boolean, rateLimitedMs = 0): LlmCallResult {
  return {
    key: row.key,
    content: row.content ?? '',
    usage: {
      prompt_tokens: row.prompt_tokens,
      completion_tokens: row.completion_tokens,
      total_tokens: row.prompt_tokens + row.completion_tokens,
      cached_tokens: row.cached_tokens,
      reasoning_tokens: row.reasoning_tokens,
    },
    cost_micros: row.cost_micros,
    latency_ms: row.latency_ms ?? 0,
    model: row.model,
    finish_reason: row.finish_reason,
    replayed,
    rate_limited_ms: rateLimitedMs,
  };
}
