/**
 * Typed business errors. Every failure a caller can cause has a stable `code`; activities turn these
 * into non-retryable Temporal failures, the CLI prints them as `{code, message}`.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'ALREADY_EXISTS'
  | 'INSUFFICIENT_FUNDS'
  | 'QUOTA_EXCEEDED'
  | 'IDEMPOTENCY_CONFLICT'
  | 'CONFLICT'
  | 'IN_DEBT'
  | 'NOT_EXECUTABLE'
  | 'SANDBOX_UNAVAILABLE'
  | 'DEPTH_EXCEEDED'
  | 'BUDGET_EXHAUSTED'
  | 'ALLOWANCE_EXCEEDED'
  /** Work of another world (another database) reached this world's worker; it is refused, not done. */
  | 'WORLD_MISMATCH'
  | 'UNAVAILABLE'
  | 'NOT_MIGRATED'
  | 'MIGRATION_CHANGED'
  | 'MIGRATION_UNKNOWN';

export class EcologyError extends Error {
  override readonly name = 'EcologyError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) => new EcologyError('INVALID_ARGUMENT', message, details);
export const notFound = (message: string, details?: Record<string, unknown>) => new EcologyError('NOT_FOUND', message, details);
export const forbidden = (message: string, details?: Record<string, unknown>) => new EcologyError('FORBIDDEN', message, details);

export function isEcologyError(e: unknown): e is EcologyError {
  return e instanceof EcologyError;
}

/**
 * The error as an operation may keep it: a message of at most `maxChars` characters (messages can
 * quote the request, such as the unknown keys of bad arguments), details only if they fit as well.
 */
export function boundedError(e: EcologyError, maxChars: number): EcologyError {
  const details = e.details && JSON.stringify(e.details).length <= maxChars ? e.details : undefined;
  if (e.message.length <= maxChars && details === e.details) return e;
  const message = e.message.length <= maxChars ? e.message : `${e.message.slice(0, maxChars)}... (${e.message.length - maxChars} more characters)`;
  return new EcologyError(e.code, message, details);
}
