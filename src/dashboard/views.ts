/**
 * What the dashboard shows, built from the read-only queries and the agents' Temporal states. The
 * live hub and the JSON endpoints both build their answers here, so the page and the API agree.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { agentWorkflowId } from '../agents/types';
import { debtsNow, principalsInDebt } from '../buckets/debt';
import type { EcologyConfig } from '../config/schema';
import { remainingMicros } from '../llm/budget';
import { agentStatuses, type AgentStatusView } from './agentStatus';
import type { QueryCounter, QueryPurpose } from './counter';
import { layoutGraph, type GraphView } from './graphLayout';
import * as q from './queries';

export interface AgentView extends q.AgentRow {
  state: AgentStatusView;
  /** The agent's workflow in the Temporal Web UI. */
  workflow_url: string;
}

export interface Summary {
  at: string;
  scrip_supply: number;
  treasury: number;
  principals: number;
  artifacts: number;
  agents: number;
  agents_by_status: Record<string, number>;
  /** Principals in debt now: a compute or LLM-token bucket below zero (src/buckets/debt.ts), as the debt chart and `ecology metrics` count them. */
  principals_in_debt: number;
  open_listings: number;
  open_bids: number;
  next_resolution_at: string | null;
  last_event_seq: number;
  llm: { budget_micros: number; spent_micros: number; reserved_micros: number; remaining_micros: number; exhausted: boolean };
  /** CPU-ms per second that all compute rates together grant. */
  compute_rate_total: number;
}

export interface MetricsView {
  window_seconds: number;
  budget_micros: number;
  compute_rate_total: number;
  windows: q.MetricsPoint[];
}

export interface OracleView {
  enabled: boolean;
  next_resolution_at: string | null;
  /** Sealed: how many, never their amounts. */
  open_bids: number;
  slots: number;
  min_bid: number;
  mint_ratio: number;
  resolutions: q.ResolutionView[];
}

export interface EscrowView {
  open: q.ListingView[];
  closed: q.ListingView[];
}

export interface BountiesView {
  open: q.BountyBoardRow[];
  closed: q.BountyBoardRow[];
}

/** The sections read on every tick, in one read-only transaction. */
export interface FastSections {
  figures: q.EconomyFigures & { principals_in_debt: number };
  agents: q.AgentRow[];
  escrow: EscrowView;
  bounties: BountiesView;
}

/** The sections read less often (they change with metrics windows and resolutions). */
export interface SlowSections {
  metrics: q.MetricsPoint[];
  oracle: q.ResolutionView[];
  graph: GraphView;
}

export interface Snapshot {
  summary: Summary;
  agents: AgentView[];
  escrow: EscrowView;
  bounties: BountiesView;
  metrics: MetricsView;
  oracle: OracleView;
  graph: GraphView;
}

/**
 * Runs `fn` in a READ ONLY transaction (REPEATABLE READ: every statement sees the same moment), its
 * statements counted under `purpose`. PostgreSQL itself refuses any write in it.
 */
export async function readOnly<T>(pool: Pool, counter: QueryCounter, purpose: QueryPurpose, fn: (db: q.Db) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const db = counter.wrap(client, purpose);
  try {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await fn(db);
    await db.query('COMMIT');
    client.release();
    return result;
  } catch (e) {
    // A broken connection must not go back to the pool.
    await client.query('ROLLBACK').then(() => client.release(), (err: Error) => client.release(err));
    throw e;
  }
}

/** The header's figures, with the principals in debt counted as everywhere else. */
export async function fastFigures(db: q.Db): Promise<FastSections['figures']> {
  return { ...(await q.economyFigures(db)), principals_in_debt: principalsInDebt(await debtsNow(db)) };
}

export async function readFast(db: q.Db, config: EcologyConfig): Promise<FastSections> {
  const figures = await fastFigures(db);
  const agents = await q.agentRows(db, config.limits.maxListLimit);
  const escrow = await q.escrowListings(db, config.limits.maxListLimit, config.dashboard.views.escrowRecent);
  const bounties = await q.bountyBoard(db, config.limits.maxListLimit, config.dashboard.views.bountiesRecent);
  return { figures, agents, escrow, bounties };
}

export async function readSlow(db: q.Db, config: EcologyConfig): Promise<SlowSections> {
  const v = config.dashboard.views;
  const metrics = await q.metricsPoints(db, v.metricsWindows);
  const oracle = await q.oracleResolutions(db, v.oracleResolutions);
  const g = await q.invocationGraph(db, v.graphEdges, v.graphNodes);
  return { metrics, oracle, graph: layoutGraph(g.artifacts, g.edges) };
}

export function workflowUrl(config: EcologyConfig, agentId: string): string {
  const base = config.dashboard.temporalUiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(agentWorkflowId(agentId))}`;
}

export async function statusesOf(temporal: Client | undefined, config: EcologyConfig, agents: q.AgentRow[]): Promise<Map<string, AgentStatusView>> {
  return agentStatuses(
    temporal,
    agents.map((a) => a.id),
    {
      timeoutMs: config.dashboard.temporalQueryTimeoutMs,
      concurrency: config.dashboard.temporalQueryConcurrency,
      needsHelpMs: config.agents.debtNeedsHelpSeconds * 1000,
      worker: { taskQueue: config.temporal.taskQueue, staleMs: config.ecology.workerPollStaleMs },
    },
  );
}

export function agentViews(config: EcologyConfig, agents: q.AgentRow[], states: Map<string, AgentStatusView>): AgentView[] {
  return agents.map((a) => ({ ...a, state: states.get(a.id) ?? { status: 'unknown', reason: 'not queried yet' }, workflow_url: workflowUrl(config, a.id) }));
}

export function summaryOf(config: EcologyConfig, f: FastSections['figures'], agents: AgentView[], at: Date): Summary {
  const byStatus: Record<string, number> = {};
  for (const a of agents) byStatus[a.state.status] = (byStatus[a.state.status] ?? 0) + 1;
  // Before the first LLM call there is no budget row: the first call creates it from configuration.
  const budget = f.budget ?? { budget_micros: config.llm.systemBudgetMicros, spent_micros: 0, reserved_micros: 0 };
  const remaining = remainingMicros(budget);
  return {
    at: at.toISOString(),
    scrip_supply: f.scrip_supply,
    treasury: f.treasury,
    principals: f.principals,
    artifacts: f.artifacts,
    agents: agents.length,
    agents_by_status: byStatus,
    principals_in_debt: f.principals_in_debt,
    open_listings: f.open_listings,
    open_bids: f.open_bids,
    next_resolution_at: config.oracle.enabled && f.next_resolution_at ? f.next_resolution_at.toISOString() : null,
    last_event_seq: f.last_event_seq,
    llm: { ...budget, remaining_micros: remaining, exhausted: remaining === 0 },
    compute_rate_total: f.compute_rate_total,
  };
}

export function metricsView(config: EcologyConfig, summary: Summary, windows: q.MetricsPoint[]): MetricsView {
  return { window_seconds: config.metrics.windowSeconds, budget_micros: summary.llm.budget_micros, compute_rate_total: summary.compute_rate_total, windows };
}

export function oracleView(config: EcologyConfig, summary: Summary, resolutions: q.ResolutionView[]): OracleView {
  const o = config.oracle;
  return { enabled: o.enabled, next_resolution_at: summary.next_resolution_at, open_bids: summary.open_bids, slots: o.slots, min_bid: o.minBid, mint_ratio: o.mintRatio, resolutions };
}

export function snapshotOf(config: EcologyConfig, fast: FastSections, slow: SlowSections, states: Map<string, AgentStatusView>, at: Date): Snapshot {
  const agents = agentViews(config, fast.agents, states);
  const summary = summaryOf(config, fast.figures, agents, at);
  return {
    summary,
    agents,
    escrow: fast.escrow,
    bounties: fast.bounties,
    metrics: metricsView(config, summary, slow.metrics),
    oracle: oracleView(config, summary, slow.oracle),
    graph: slow.graph,
  };
}
