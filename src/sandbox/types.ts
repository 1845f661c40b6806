/** Public types of the sandbox: limits, jobs, results, the host bridge. */
import type { ErrorInfo, SandboxErrorCode } from '../errors';

export interface SandboxLimits {
  /** Container memory limit; swap is disabled (MemorySwap = Memory). Covers the supervisor (~40 MB) too. */
  memoryBytes: number;
  /** CPU limit in 1e-9 CPUs (1e9 = one full CPU). */
  nanoCpus: number;
  /** Max tasks (threads count) in the container; each node process uses ~7-11. */
  pids: number;
  /** Size of the writable /tmp (tmpfs, counted against memory too). */
  tmpfsBytes: number;
  /** Wall-clock limit of one job, including time spent waiting on bridge calls. */
  timeoutMs: number;
  /** Cap on the JSON result, and on each bridge request's payload. */
  maxOutputBytes: number;
  /** How much of the job's console output (stdout+stderr tail) is returned. */
  maxLogBytes: number;
  /**
   * V8 old-space limit of the job process. 0 = memoryBytes minus 96 MiB (the supervisor and the job
   * process's own baseline), at least 16 MiB. Keeps heap bombs fast and clearly OUT_OF_MEMORY.
   */
  jsHeapBytes: number;
  /** Open file descriptors per process (RLIMIT_NOFILE). */
  maxOpenFiles: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 256 * 1024 * 1024,
  nanoCpus: 1_000_000_000,
  pids: 128,
  tmpfsBytes: 16 * 1024 * 1024,
  timeoutMs: 5_000,
  maxOutputBytes: 1024 * 1024,
  maxLogBytes: 4096,
  jsHeapBytes: 0,
  maxOpenFiles: 1024,
};

const MiB = 1024 * 1024;
/** The job's V8 heap limit in MiB for given limits (see SandboxLimits.jsHeapBytes). */
export function jobHeapMiB(limits: SandboxLimits): number {
  const bytes = limits.jsHeapBytes > 0 ? limits.jsHeapBytes : limits.memoryBytes - 96 * MiB;
  return Math.max(16, Math.floor(bytes / MiB));
}

export type { SandboxErrorCode };

/** How a run failed: the codes are the sandbox's (src/errors.ts SANDBOX_ERROR_CODES). */
export interface SandboxError extends ErrorInfo {
  code: SandboxErrorCode;
}

interface RunMeasures {
  /** CPU time the container used during the job, from the host's cgroup reading; ceil, at least 1. 0 only when nothing ran. */
  cpuMs: number;
  /** Wall time from dispatch to outcome (excludes waiting for a container). */
  wallMs: number;
  /** Tail of what the code printed (console.log/error), capped at maxLogBytes. */
  logs?: string;
  /** Whether a new container had to be started for this run. */
  coldStart?: boolean;
}

export type RunResult = ({ ok: true; value: unknown } | { ok: false; error: SandboxError }) & RunMeasures;

export type BridgeOp = 'read' | 'invoke' | 'llm';

/**
 * Answers the code's ctx.read(id) -> ('read', {id}), ctx.invoke(id, method, args, grant?) ->
 * ('invoke', {id, method, args, grant?}), ctx.llm(messages, options) -> ('llm', {messages, options}).
 * The resolved value (JSON) is what the code's await returns; a rejection is thrown inside the
 * code as an Error with the rejection's `code` (default 'CALL_FAILED') and message.
 */
export type BridgeHandler = (op: BridgeOp | string, payload: unknown) => Promise<unknown>;

export interface RunRequest {
  /** Containers are never shared between owners. */
  owner: string;
  /**
   * Whose share of the pool (maxContainersPerOwner) the run's container counts against; default
   * `owner`. A container serves only runs of the same owner and account.
   */
  account?: string;
  /** ES module source. */
  code: string;
  /** Exported function to call; default 'run'. */
  fn?: string;
  /** Passed as the first argument; must be JSON-serialisable. */
  args?: unknown;
  onCall?: BridgeHandler;
  /**
   * Per-run overrides of the pool's limits (the container-level ones cannot change per run).
   * timeoutMs covers the time spent waiting for another run's container too (not a start of its own).
   */
  timeoutMs?: number;
  /** Epoch ms by which the run must be over, waiting for a container included (a nested invocation: its parent's end). */
  deadlineMs?: number;
  /** Called as the job goes to its container, with the epoch ms at which its time limit ends. */
  onDispatch?: (endsAtMs: number) => void;
  maxOutputBytes?: number;
}
