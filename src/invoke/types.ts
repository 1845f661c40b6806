/** Shapes of the invocation saga, shared by the in-process path, the activities and the workflow. */
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import type { DispatchHooks, MethodGuard } from '../genesis/context';
import type { Outcome } from '../genesis/dispatch';
import type { LlmClient } from '../llm/client';
import type { SandboxPool } from '../sandbox';
import type { ErrorInfo } from '../errors';

export interface InvokeDeps {
  pool: Pool;
  config: EcologyConfig;
  /** Runs the code; null or absent: executable artifacts and custom contracts fail SANDBOX_UNAVAILABLE. */
  sandbox?: SandboxPool | null;
  /** For ctx.llm; by default a client made from configuration. */
  openai?: LlmClient;
  /** Dispatch hooks; the custom-contract hook is made from `sandbox` when not given. */
  hooks?: DispatchHooks;
  /**
   * How the saga of an executable artifact runs: in this process (default: hold, run, settle here),
   * or elsewhere, e.g. through Temporal (see temporalSagaRunner in ./temporal).
   */
  runSaga?: SagaRunner;
  /** Wraps genesis methods dispatched for code running under a grant (set by the bridge, see ./grant). */
  guard?: MethodGuard;
}

export interface InvokeRequest {
  /** Who acts. Always from the system (workflow, CLI operator, the bridge), never from LLM-written args. */
  caller: string;
  artifactId: string;
  /** Genesis method, or the exported function of agent code; default 'run'. */
  method?: string;
  args?: unknown;
  /** Caller-made idempotency key: a repeat returns the first outcome. */
  key: string;
  /**
   * What the invoker grants code without standing, and what it pins (./grant: {max_price?,
   * code_hash?, allowance?, allow?}); validated at the hold. Absent: the code may only read.
   */
  grant?: unknown;
}

/** An invocation as the saga sees it: nested ones (through the bridge) carry their depth and deadline. */
export interface SagaRequest extends InvokeRequest {
  method: string;
  /** 0 for an actor's invocation; one more for each ctx.invoke level. */
  depth?: number;
  /** Epoch ms by which a nested run must end (its parent's time limit); none at the top. */
  deadlineMs?: number;
  /** Bridge calls left to the whole tree of nested invocations (shared object; in-process only). */
  callBudget?: CallBudget;
  /**
   * Set by the bridge only: the grant chain of the code making this nested invocation; its price
   * and CPU count against those allowances (./grant). Absent at the top.
   */
  spendChain?: string[];
  /** Set by the bridge only, with spendChain: the methods the calling code was allowed; a nested grant allows no others. */
  spendAllow?: string[];
}

/** sandbox.maxBridgeCalls for one top-level invocation and everything it calls, however deep. */
export interface CallBudget {
  left: number;
}

export type SagaRunner = (req: SagaRequest) => Promise<InvocationOutcome>;

/** What the invocation did with money and compute; present on every outcome of an executable artifact. */
export interface InvocationInfo {
  key: string;
  artifact_id: string;
  price: number;
  /** Who received the price (success), or null when it was refunded or there was none. */
  paid_to: string | null;
  refunded: boolean;
  /** Whose compute bucket paid the CPU. */
  payer: string | null;
  cpu_ms: number;
  wall_ms: number;
  /** Whether the run had to start a container. */
  cold_start: boolean;
  /** Tail of what the code printed. */
  logs?: string;
  /** Code without standing: what the invoker granted it (./grant) and what it spent in the invoker's name. */
  grant?: {
    allowance: { scrip: number; compute: number; llm_micros: number };
    allow: string[];
    spent: { scrip: number; compute: number; llm_micros: number };
  };
}

/** dispatch's Outcome; for an executable artifact compute_charged is the CPU-ms charged to the payer. */
export type InvocationOutcome = Outcome & { invocation?: InvocationInfo };

/** The hold step's answer. */
export type HoldResult =
  | { ok: true; key: string; price: number; payer: string; payee: string; owner: string; replayed: boolean }
  | { ok: false; key: string; error: ErrorInfo; replayed: boolean };

/** What a run reported, as stored in invocations.run_result. */
export type RunRecord = ({ ok: true; value: unknown } | { ok: false; error: ErrorInfo }) & {
  cpuMs: number;
  wallMs: number;
  logs?: string;
  /** A container had to be started for this run. */
  coldStart?: boolean;
  /** The value and logs were removed after retention.invocationResultsHours (src/db/retention.ts). */
  pruned?: true;
};

/** The run step's answer, small enough for workflow history (the value stays in the database). */
export type RunSummary = ({ ok: true } | { ok: false; error: ErrorInfo }) & { cpuMs: number; wallMs: number; replayed: boolean };

/** The settle step's answer through Temporal: the outcome without the code's result (read it with invocationOutcome). */
export type InvocationSummary = (
  | { ok: true; replayed: boolean; compute_charged: number }
  | { ok: false; error: ErrorInfo; replayed: boolean; compute_charged: number }
) & { invocation?: InvocationInfo };

/** Temporal options of the saga's activities (config sandbox.activities), passed in the workflow input. */
export interface InvokeActivityOptions {
  timeoutMs: number;
  initialIntervalMs: number;
  maximumIntervalMs: number;
  runScheduleToStartMs: number;
  runTimeoutMs: number;
  runMaximumAttempts: number;
}

export interface InvokeWorkflowInput {
  request: SagaRequest;
  /** Where runInvocation goes (config temporal.sandboxTaskQueue); hold and settle stay on the workflow's queue. */
  sandboxTaskQueue: string;
  activities: InvokeActivityOptions;
  /** The id of the world whose ledger it moves (src/world/identity.ts); absent in sagas started before worlds had ids. */
  world?: string;
}

/** What a caller of invoke() adds to the pool, config and hooks it already has (an agent's act step). */
export type InvokeOptions = Pick<InvokeDeps, 'sandbox' | 'openai' | 'runSaga'>;
