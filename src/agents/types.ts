/**
 * Shapes shared by the agent workflow, its activities and clients. Pure types and constants only:
 * the workflow sandbox imports this file.
 */
import type { ErrorInfo } from '../errors';

/** Signal and query names (SPEC sections 8 and 12); outside tools rely on them. */
export const AGENT_SIGNALS = {
  wake: 'wake',
  pause: 'pause',
  resume: 'resume',
  stop: 'stop',
  configChanged: 'configChanged',
  /** Internal: the event relay saw a transfer touching this agent's balances. */
  balanceChanged: 'balanceChanged',
  /** Internal: the event relay saw an event this agent subscribed to with `sleep {until_event}`. */
  event: 'event',
} as const;
export type AgentSignalName = keyof typeof AGENT_SIGNALS;
/** What each signal carries (./signals.ts defines the signals with these). */
export interface AgentSignalArgs {
  wake: [];
  pause: [];
  resume: [];
  stop: [];
  /** The agent artifact's content changed; the payload is informational. */
  configChanged: [unknown?];
  balanceChanged: [unknown?];
  /** An event the agent sleeps on happened: `key` names the sleeping iteration. */
  event: [{ key: string; type: string; seq: number }];
}
export const AGENT_STATE_QUERY = 'state';
export const AGENT_WORKFLOW_TYPE = 'agentWorkflow';

export function agentWorkflowId(agentId: string): string {
  return `agent-${agentId}`;
}

/** The idempotency key of everything one iteration does. */
export function iterationKey(agentId: string, iteration: number): string {
  return `${agentId}:${iteration}`;
}

export type AgentStatus =
  | 'starting'
  | 'thinking'
  /** The last think failed (LLM endpoint unreachable, provider error): `thinkError` says why; retried. */
  | 'think-failing'
  | 'acting'
  | 'sleeping'
  | 'frozen-in-debt'
  | 'waiting-for-budget'
  | 'waiting-for-funding'
  | 'paused'
  | 'stopped';

export interface Balances {
  scrip: number;
  compute: number;
  llm_tokens: number;
}

/** One remembered iteration: small, it travels through continue-as-new. */
export interface MemoryItem {
  iteration: number;
  action: string;
  ok: boolean;
  summary: string;
}
export type ShortMemory = MemoryItem[];

export interface AgentWorkflowInput {
  agentId: string;
  /** The next iteration to run (carried across continue-as-new); 0 for a new agent. */
  iteration?: number;
  memory?: ShortMemory;
  /** Carried across continue-as-new so a pause survives it. */
  paused?: boolean;
  /** Carried across continue-as-new: a think that could not run is retried under a new LLM key. */
  thinkAttempt?: number;
  /** Carried across a continue-as-new in the middle of a sleep: the new run first finishes it. */
  sleeping?: { plan: SleepPlan; deadline: number; settings: AgentLoopSettings };
  /** The id of the world (database) the agent lives in; absent in workflows started before worlds had ids. */
  world?: string;
}

export interface AgentWorkflowResult {
  agentId: string;
  iteration: number;
  reason: 'stopped' | 'missing';
}

export interface AgentState {
  agentId: string;
  status: AgentStatus;
  /** What the agent waits for, in words (e.g. "compute recovery", "event oracle_resolved"). */
  waitingFor?: string;
  /** ISO time the current wait ends at the latest. */
  until?: string;
  /** While frozen-in-debt: when accrual repays the debt; absent when nothing refills the bucket. */
  recoversAt?: string;
  /** Why the last think failed, until a think succeeds (e.g. "cannot reach http://127.0.0.1:9/v1: ..."). */
  thinkError?: string;
  /** The iteration running now, or the next one. */
  iteration: number;
  lastAction?: string;
  lastResult?: { ok: boolean; summary: string; error?: ErrorInfo };
  balances?: Balances;
  paused: boolean;
  /** The last few iterations (carried across continue-as-new). */
  memory: ShortMemory;
}

/** Loop settings from configuration, read by an activity (workflows cannot read files). */
export interface AgentLoopSettings {
  maxIterationsPerRun: number;
  /** Absent in results recorded before it existed (replay). */
  maxHistoryEventsPerRun?: number;
  maxSleepSeconds: number;
  minRecheckMs: number;
  budgetRecheckSeconds: number;
  blockedRecheckSeconds: number;
  errorBackoffSeconds: number;
  memorySize: number;
  thinkTimeoutMs: number;
  thinkHeartbeatTimeoutMs: number;
  activityTimeoutMs: number;
  maximumAttempts: number;
  initialIntervalMs: number;
  maximumIntervalMs: number;
}

export type ReadinessStatus = 'ready' | 'missing' | 'compute-debt' | 'llm-debt' | 'budget';

export interface Readiness {
  status: ReadinessStatus;
  /** ISO time a debt is paid off by accrual; null when not in debt or when it never will be. */
  until: string | null;
  reason: string;
  balances: Balances | null;
  /** The agent's own think delay (its configuration), 0 for none. */
  thinkDelayMs: number;
  settings: AgentLoopSettings;
}

export interface ThinkInput {
  agentId: string;
  iteration: number;
  /** Bumped when the workflow retries a think that could not run (budget, debt, errors). */
  attempt: number;
}

export type ThinkSummary =
  /** `quick`: acting on it is one short transaction (actsQuickly), so it may run as a local activity. */
  | { kind: 'action'; action: string; summary: string; quick?: boolean }
  /** Output that is not one valid action: a recorded failed action (its tokens are paid). */
  | { kind: 'invalid'; reason: string }
  /** The call could not be made now; nothing was recorded as an action, nothing charged. */
  | { kind: 'blocked'; reason: 'budget' | 'llm-debt' | 'quota' | 'missing'; message: string; until: string | null };

export type PredicateOp = '>=' | '>' | '<=' | '<' | '==';
export type PredicateResource = 'scrip' | 'compute' | 'llm_tokens';
export interface Predicate {
  resource: PredicateResource;
  op: PredicateOp;
  value: number;
}

/** How the workflow should sleep after a sleep action; the activity has applied caps. */
export type SleepPlan =
  | { kind: 'seconds'; seconds: number }
  | { kind: 'event'; eventType: string; seconds: number; key: string }
  | { kind: 'predicate'; predicate: Predicate; seconds: number };

export interface ActInput {
  agentId: string;
  iteration: number;
}

export interface ActSummary {
  ok: boolean;
  action: string;
  summary: string;
  error?: ErrorInfo;
  /** Read after a sleep action only (the state query shows them during the sleep). */
  balances?: Balances;
  sleep?: SleepPlan;
}

export interface PredicateCheck {
  satisfied: boolean;
  balances: Balances | null;
  /** For bucket resources that accrue: when the predicate becomes true on its own (ISO), if ever. */
  recheckAt: string | null;
}

/** What act needs from Temporal: starting a new agent's workflow and signalling a running one. */
export interface AgentControl {
  /** Starts `agent-<id>`; an already running one is fine. Throws when the start fails. */
  start(agentId: string): Promise<void>;
  /** Signals `agent-<id>` (through the signal's definition); false when it is not running. */
  signal<N extends AgentSignalName>(agentId: string, signal: N, ...args: AgentSignalArgs[N]): Promise<boolean>;
}
