/**
 * Typed errors. Every failure has a stable `code` from one union, ErrorCode: the domain's (a caller
 * can cause them; activities turn them into non-retryable Temporal failures whose type is the
 * code), the sandbox's, the invocation saga's, the workflows' and the CLI's. Pure (no Node
 * imports): workflow code imports this file.
 */
const DOMAIN_ERROR_CODES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'FORBIDDEN',
  'ALREADY_EXISTS',
  'INSUFFICIENT_FUNDS',
  'QUOTA_EXCEEDED',
  'IDEMPOTENCY_CONFLICT',
  'CONFLICT',
  'IN_DEBT',
  'NOT_EXECUTABLE',
  'SANDBOX_UNAVAILABLE',
  'DEPTH_EXCEEDED',
  'BUDGET_EXHAUSTED',
  'ALLOWANCE_EXCEEDED',
  /** Work of another world (another database) reached this world's worker; it is refused, not done. */
  'WORLD_MISMATCH',
  'UNAVAILABLE',
  'NOT_MIGRATED',
  'MIGRATION_CHANGED',
  'MIGRATION_UNKNOWN',
] as const;

/** How a run of code in the sandbox fails (src/sandbox). */
export const SANDBOX_ERROR_CODES = [
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'CODE_THREW',
  /** The module does not parse. */
  'INVALID_CODE',
  'OUTPUT_TOO_LARGE',
  'OUTPUT_NOT_JSON',
  'NO_SUCH_FUNCTION',
  /** Args not JSON-serialisable. */
  'INVALID_INPUT',
  /** No daemon, no image, pool closed or saturated. */
  'SANDBOX_UNAVAILABLE',
  /** The job process or container died for another reason. */
  'CRASHED',
] as const;

/** The rest: what running code's ctx calls, invocations, contracts, workflows and the CLI report. */
const OTHER_ERROR_CODES = [
  /** A ctx call the host refused for a reason of its own (src/invoke/bridge.ts). */
  'CALL_FAILED',
  /** A ctx operation that does not exist, or is not available in this run. */
  'NOT_SUPPORTED',
  /** The invocation workflow was cancelled before its run reported (workflows/invoke.ts). */
  'CANCELLED',
  /** The hold of an invocation was refused (src/invoke/run.ts). */
  'REJECTED',
  /** A custom access contract returned something other than true (src/invoke/contract.ts). */
  'DENIED',
  /** The agent workflow's outcomes (workflows/agent.ts, src/agents/think.ts). */
  'THINK_FAILED',
  'ACT_FAILED',
  'INVALID_ACTION',
  /** Temporal failure type of a think whose LLM is unreachable (activities/agents.ts). */
  'LLM_UNAVAILABLE',
  /** Temporal failure type of an oracle score the scorer's answer did not give (src/oracle/scoring.ts). */
  'SCORE_INVALID',
  /** The root workflow could not start a spawned agent's workflow (workflows/ecology.ts). */
  'WORKFLOW_NOT_STARTED',
  /** A failure recorded without its code. */
  'FAILED',
  /** What the CLI prints (src/cli/main.ts, src/cli/connectionErrors.ts). */
  'USAGE',
  'INTERNAL',
  'DATABASE_UNREACHABLE',
  /** The dashboard's refusals, by HTTP status (src/dashboard/server.ts). */
  'HTTP_400',
  'HTTP_401',
  'HTTP_403',
  'HTTP_404',
  'HTTP_405',
  'HTTP_503',
] as const;

export const ERROR_CODES = [...DOMAIN_ERROR_CODES, ...SANDBOX_ERROR_CODES, ...OTHER_ERROR_CODES] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export type SandboxErrorCode = (typeof SANDBOX_ERROR_CODES)[number];

/** An error as data: what operations return, workflows and the database keep, the CLI prints. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}

/**
 * A code that came over a wire (a Temporal failure's type, a container's JSON): itself when it is
 * one of ours, else `fallback`, so nothing outside the union travels further.
 */
export function errorCodeOf(code: unknown, fallback: ErrorCode): ErrorCode {
  return isErrorCode(code) ? code : fallback;
}

export class EcologyError extends Error {
  override readonly name = 'EcologyError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): ErrorInfo {
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
