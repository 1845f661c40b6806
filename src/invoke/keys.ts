/**
 * Idempotency keys of an invocation and of everything it does. Every effect of an invocation has
 * an id derived from the invocation key, so a retried step finds its own earlier effects.
 */
import { createHash } from 'node:crypto';
import { invalid } from '../errors';

/** Longest invocation key: room for the suffixes below within the 256/300-character id columns. */
export const MAX_INVOCATION_KEY = 200;

/** Refuses a key that cannot serve as an id (NUL or unpaired surrogates would not round-trip through PostgreSQL). */
export function checkInvocationKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_INVOCATION_KEY) {
    throw invalid(`invocation key must be 1-${MAX_INVOCATION_KEY} characters`);
  }
  if (key.includes('\u0000') || /\p{Cs}/u.test(key)) throw invalid('invocation key contains a NUL character or an unpaired UTF-16 surrogate');
}

/**
 * `${parent}:${suffix}`, or, when that would be longer than MAX_INVOCATION_KEY (deep bridge
 * recursion, long contract ids), a fixed-length digest of the parent with the suffix: still
 * deterministic, so a retry derives the same key.
 */
export function childKey(parent: string, suffix: string): string {
  const plain = `${parent}:${suffix}`;
  if (plain.length <= MAX_INVOCATION_KEY) return plain;
  const digest = createHash('sha256').update(parent).digest('hex').slice(0, 32);
  const tail = `#${digest}:${suffix}`;
  return tail.length <= MAX_INVOCATION_KEY ? tail : `#${createHash('sha256').update(plain).digest('hex')}`;
}

/** Journal and bucket-effect ids of one invocation. */
export const invocationIds = (key: string) => ({
  hold: `${key}:hold`,
  pay: `${key}:pay`,
  refund: `${key}:refund`,
  cpu: `${key}:cpu`,
});

/** Keys of the bridge calls of one run: the n-th call (1-based) of the run of invocation `key`. */
export const bridgeKey = (key: string, op: 'read' | 'call' | 'llm', n: number): string => childKey(key, `${op}:${n}`);
