import { z } from 'zod';
import { invalid } from './errors';

/**
 * SPEC section 3: ids and idempotency keys that callers choose are at most 128 characters of
 * [A-Za-z0-9_.-]. Ids and keys the system derives contain ':' (`<agent>:<n>`, `<key>:compute`,
 * `oracle:<resolution>:ubi:<agent>`), so no caller can choose one of them.
 */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
const ID_RULE = 'must be 1-128 characters of A-Z a-z 0-9 _ . - (":" is reserved for ids the system derives)';

export const artifactId = z.string({ error: 'must be a string id' }).regex(ID_PATTERN, { error: ID_RULE });

/**
 * First segments of keys the system derives from other ids (`spawn:<agent>`, `issue:<principal>:scrip`,
 * `oracle:<resolution>:...`, `cli:<uuid>`): an agent or key with one of these names would derive
 * `<name>:<n>...` keys in the same form. Debt contract ids are `debt_<hash of a key>`.
 */
const RESERVED_IDS: readonly string[] = ['oracle', 'issue', 'spawn', 'cli', 'adhoc', 'artifact', 'bounty'];
const RESERVED_PREFIXES: readonly string[] = ['genesis_', 'debt_'];

/** Why a new caller-chosen id is reserved, or null when it is free to take. */
export function reservedIdReason(id: string): string | null {
  if (RESERVED_IDS.includes(id)) return `${id} is reserved: the system derives keys that start with "${id}:"`;
  const prefix = RESERVED_PREFIXES.find((p) => id.startsWith(p));
  return prefix ? `ids starting with ${prefix} are reserved for ids the system makes` : null;
}

/** An id a caller chooses for something new (an artifact, a principal, an agent). */
export const newArtifactId = artifactId.refine((id) => reservedIdReason(id) === null, { error: (i) => reservedIdReason(String(i.input)) ?? ID_RULE });

/** An idempotency key a caller chooses (the CLI's --key): the same rules as a new id. */
export const callerKey = newArtifactId;

/** A positive whole amount that PostgreSQL bigint and JS numbers both hold exactly. */
export const positiveAmount = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

export const nonNegativeAmount = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

export interface JsonLimits {
  maxBytes: number;
  maxDepth: number;
}

/**
 * A NUL as JSON.stringify writes it: `\u0000` after an even number of backslashes (an odd number
 * means the text holds a literal backslash followed by "u0000", which is fine).
 */
const ESCAPED_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;
/** JSON.stringify escapes an unpaired UTF-16 surrogate the same way; PostgreSQL refuses those too. */
const ESCAPED_LONE_SURROGATE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

/**
 * Checks a JSON value from outside: depth, encoded size, and no NUL characters (PostgreSQL text and
 * jsonb reject them). Throws INVALID_ARGUMENT naming `what`.
 */
export function checkJson(value: unknown, what: string, limits: JsonLimits): number {
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(value);
  } catch {
    throw invalid(`${what} is not JSON-serialisable`);
  }
  if (encoded === undefined) throw invalid(`${what} is not JSON`);
  const bytes = Buffer.byteLength(encoded, 'utf8');
  if (bytes > limits.maxBytes) throw invalid(`${what} is ${bytes} bytes, above the limit of ${limits.maxBytes}`);
  if (ESCAPED_NUL.test(encoded)) throw invalid(`${what} contains a NUL character`);
  if (ESCAPED_LONE_SURROGATE.test(encoded)) throw invalid(`${what} contains an unpaired UTF-16 surrogate (not valid Unicode text)`);
  const depth = jsonDepth(value, limits.maxDepth + 1);
  if (depth > limits.maxDepth) throw invalid(`${what} is nested deeper than ${limits.maxDepth} levels`);
  return bytes;
}

/** Depth of a JSON value, iteratively (no stack overflow), stopping once past `stopAt`. */
export function jsonDepth(value: unknown, stopAt: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (max >= stopAt) return max;
    if (v !== null && typeof v === 'object') {
      for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
    }
  }
  return max;
}

/** Parses with a zod schema, turning its issues into one INVALID_ARGUMENT error. */
export function parseArgs<T>(schema: z.ZodType<T>, value: unknown, what = 'args'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : what}: ${i.message}`).join('; ');
  throw invalid(`invalid ${what}: ${problems}`);
}
