import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { EcologyError } from '../errors';

export type FailureReason = 'timeout' | 'connection' | 'rate_limited' | 'server_error' | 'auth' | 'rejected';

/** A provider failure, classified for our retry loop and for the caller. */
export interface ProviderFailure {
  reason: FailureReason;
  /** Worth another attempt within this call (429, 408, 409, 5xx, timeouts, connection errors). */
  retryable: boolean;
  status: number | null;
  message: string;
  /** What the provider asked for (retry-after-ms or retry-after), if anything. */
  retryAfterMs: number | null;
}

function retryAfter(headers: Headers | undefined): number | null {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Classifies what the openai client threw; anything else (a bug of ours) is returned as null. */
export function classifyProviderError(e: unknown): ProviderFailure | null {
  if (e instanceof APIConnectionTimeoutError) return { reason: 'timeout', retryable: true, status: null, message: 'the LLM request timed out', retryAfterMs: null };
  if (e instanceof APIConnectionError) return { reason: 'connection', retryable: true, status: null, message: `cannot reach the LLM endpoint: ${e.message}`, retryAfterMs: null };
  if (!(e instanceof APIError) || e.status === undefined) return null;
  const status = e.status;
  const base = { status, message: `LLM provider answered ${status}: ${e.message}`, retryAfterMs: retryAfter(e.headers) };
  if (status === 429) return { ...base, reason: 'rate_limited', retryable: true };
  if (status >= 500 || status === 408 || status === 409) return { ...base, reason: 'server_error', retryable: true };
  if (status === 401 || status === 403) return { ...base, reason: 'auth', retryable: false };
  return { ...base, reason: 'rejected', retryable: false };
}

/**
 * The error a caller sees once our retries are spent. A request the provider rejects as such
 * (400, 404, 422: bad model name, schema the server refuses, prompt too long) is INVALID_ARGUMENT,
 * not retryable. Everything else is UNAVAILABLE, retryable at the activity level: the provider
 * is down, overloaded or slow, or its key is wrong (an operator fixes that and the retry succeeds).
 */
export function toCallerError(f: ProviderFailure, attempts: number, endpoint?: string): EcologyError {
  const details = { reason: f.reason, status: f.status, attempts, ...(f.retryAfterMs === null ? {} : { retry_after_ms: f.retryAfterMs }), ...(endpoint ? { endpoint } : {}) };
  // The endpoint is named, so a wrong OPENAI_BASE_URL shows in the message people see.
  const message = !endpoint ? f.message : f.reason === 'connection' ? f.message.replace('cannot reach the LLM endpoint', `cannot reach ${endpoint}`) : `${f.message} (${endpoint})`;
  return new EcologyError(f.reason === 'rejected' ? 'INVALID_ARGUMENT' : 'UNAVAILABLE', message, details);
}
