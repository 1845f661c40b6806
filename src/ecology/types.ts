/**
 * Shapes shared by the root workflow (workflows/ecology.ts), its activities and clients. Pure types
 * and constants only: the workflow sandbox imports this file.
 */
import type { ErrorInfo } from '../errors';

/** Names outside tools rely on (SPEC section 12; the Temporal UI, `temporal workflow signal`). */
export const ECOLOGY_WORKFLOW_TYPE = 'ecologyWorkflow';
export const ECOLOGY_SIGNALS = { spawnAgent: 'spawnAgent', shutdown: 'shutdown' } as const;
export const ECOLOGY_SUMMARY_QUERY = 'summary';

/** An agent to create: the initial ones (input or configuration) and spawned ones. */
export interface AgentSpec {
  id: string;
  /** The agent's system prompt; absent = agents.defaults.system_prompt. */
  system_prompt?: string | null;
  /** absent = llm.defaultModel. */
  model?: string | null;
  /** Starting scrip: minted for initial agents, from the treasury for spawned ones. */
  scrip?: number | null;
  /** Starting compute: issued for initial agents, from the treasury for spawned ones. */
  compute?: number | null;
}

/** The workflow's input: empty/null (the configured agents) or the agents to create. */
export interface EcologyWorkflowInput {
  agents?: AgentSpec[] | null;
  /** Set by the workflow itself when it continues as new. */
  carry?: EcologyCarry;
  /** The world's id, when the starter knows it (`ecology up`, `ecology bootstrap`): its bootstrap runs only in that world. */
  world?: string;
}

export interface ShutdownRequest {
  /** Also send `stop` to every agent's workflow (default: agents keep running). */
  stopAgents?: boolean;
}

/** Settings from configuration, read by the bootstrap activity (workflows cannot read files). */
export interface EcologySettings {
  summaryRefreshSeconds: number;
  maxRefreshesPerRun: number;
  maxSpawnRecords: number;
  activities: { timeoutMs: number; initialIntervalMs: number; maximumIntervalMs: number; maximumAttempts: number };
}

export interface BootstrapReport {
  at: string;
  migrationsApplied: string[];
  genesisCreated: number;
  treasuryIssued: { scrip: number; compute: number };
  agentsCreated: string[];
  agentsExisting: string[];
  /** Principals whose compute_rate was set from config.ecology.computeRates. */
  computeRatesChanged: string[];
  schedules: Array<{ scheduleId: string; action: string; paused: boolean; nextActionAt: string | null }>;
  /** Open bounties whose deadline workflow was made sure of (started again if it was lost). */
  bountyDeadlines?: number;
}

export interface BootstrapResult {
  settings: EcologySettings;
  /** Every initial agent id (created now or before): the root starts their workflows. */
  agents: string[];
  report: BootstrapReport;
  /** The world's id (src/world/identity.ts), which the agents' workflows carry; absent in histories from before. */
  worldId?: string;
}

/** What a spawn did (kept in the summary, newest last). */
export interface SpawnRecord {
  id: string;
  ok: boolean;
  at: string;
  scrip?: number;
  compute?: number;
  workflow?: 'started' | 'already-running';
  error?: ErrorInfo;
}

export type SpawnOutcome = { ok: true; id: string; scrip: number; compute: number; replayed: boolean } | { ok: false; id: string; error: ErrorInfo };

/** The periodic read of the world, by an activity. */
export interface WorldSnapshot {
  at: string;
  agents: { total: number; byStatus: Record<string, number>; list: Array<{ id: string; status: string; iteration?: number; detail?: string }> };
  scripSupply: number;
  treasury: { scrip: number; compute: number };
  llm: { spentMicros: number; budgetMicros: number; remainingMicros: number };
  nextResolutionAt: string | null;
  lastResolution: { id: string; status: string; resolvedAt: string | null } | null;
}

export type EcologyStatus = 'bootstrapping' | 'running' | 'stopped';

/** The `summary` query's answer. */
export interface EcologySummary {
  status: EcologyStatus;
  /** How many times this world's root has continued as new. */
  runs: number;
  bootstrap: BootstrapReport | null;
  /** The initial agents whose workflows the root started (children that outlive it). */
  children: { started: string[]; alreadyRunning: string[] };
  world: WorldSnapshot | null;
  spawns: SpawnRecord[];
  pendingSpawns: string[];
  /** The last failure of a periodic read, if the latest one failed. */
  lastError: string | null;
}

/** What a continued run gets from the previous one. */
export interface EcologyCarry {
  runs: number;
  settings: EcologySettings;
  bootstrap: BootstrapReport | null;
  children: { started: string[]; alreadyRunning: string[] };
  spawns: SpawnRecord[];
  pending: AgentSpec[];
  world: WorldSnapshot | null;
  /** The world's id, from the bootstrap (absent in runs from before worlds had ids). */
  worldId?: string;
}

export interface EcologyResult {
  stopped: true;
  agentsStopped: number | null;
  summary: EcologySummary;
}
