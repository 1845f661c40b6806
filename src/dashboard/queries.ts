/**
 * The dashboard's SQL: plain, parameterised, read-only statements, one per view. Every statement
 * goes through a `Db` that the caller may count (see counter.ts); none of them writes.
 */
import type { PoolClient } from 'pg';
import { bucketViewFromRow, type BucketView } from '../buckets/store';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import '../db/int8';
import type { ListingRow } from '../escrow/queries';
import type { FollowedEvent } from '../events/follow';
import { publicEventSql } from '../events/visibility';
import type { BountyWindowFigures, MetricsScalars, RightWindowTrades } from '../metrics/types';
import type { ErrorInfo } from '../errors';

export type Db = Pick<PoolClient, 'query'>;

/** Columns that bucketViewFromRow reads, for the bucket of `alias` and its two rights. */
const bucketColumns = (alias: string, prefix: string) =>
  `${alias}.balance AS ${prefix}_balance, (extract(epoch FROM ${alias}.updated_at) * 1000000)::bigint::text AS ${prefix}_updated_us`;

export interface AgentRow {
  id: string;
  type: string;
  created_at: Date;
  model: string | null;
  scrip: number;
  llm_spent_micros: number;
  llm_calls: number;
  llm_allowance_micros: number;
  owned_artifacts: number;
  compute: BucketView;
  llm_tokens: BucketView;
  last_action: {
    iteration: number;
    status: string;
    action_type: string | null;
    summary: string | null;
    error: ErrorInfo | null;
    at: Date;
  } | null;
}

/**
 * Every agent (has_standing AND can_execute AND NOT genesis), with its scrip, both buckets as of the
 * database's now (the same arithmetic as readBucket, for all agents in one statement), the dollars
 * its LLM calls cost, its remaining dollar allowance and its latest recorded iteration.
 */
export async function agentRows(db: Db, limit: number): Promise<AgentRow[]> {
  const r = await db.query(
    `SELECT a.id, a.type, a.created_at, a.content->>'model' AS model,
            -- What it holds in sealed bids counts as its own here: the page must not show a bid.
            COALESCE(acc.balance, 0) + COALESCE((SELECT sum(held) FROM oracle_bids ob WHERE ob.bidder_id = a.id), 0)::bigint AS scrip,
            COALESCE(spend.cost, 0)::bigint AS llm_spent_micros, COALESCE(spend.calls, 0)::bigint AS llm_calls,
            q.llm_dollars AS llm_allowance_micros, q.compute_rate, q.compute_capacity, q.llm_token_rate, q.llm_token_capacity,
            (SELECT count(*) FROM artifacts o WHERE o.owner_id = a.id AND o.id <> a.id)::bigint AS owned_artifacts,
            ${bucketColumns('cb', 'c')}, ${bucketColumns('tb', 't')},
            (extract(epoch FROM now()) * 1000000)::bigint::text AS now_us,
            la.iteration AS la_iteration, la.status AS la_status, la.action_type AS la_action_type, la.summary AS la_summary,
            la.error AS la_error, COALESCE(la.acted_at, la.thought_at, la.created_at) AS la_at
     FROM artifacts a
     LEFT JOIN accounts acc ON acc.principal_id = a.id AND acc.asset = $2
     LEFT JOIN buckets cb ON cb.principal_id = a.id AND cb.resource = 'compute'
     LEFT JOIN buckets tb ON tb.principal_id = a.id AND tb.resource = 'llm_tokens'
     LEFT JOIN (SELECT payer_id, sum(cost) AS cost, sum(calls) AS calls
                FROM (SELECT payer_id, cost_micros AS cost, 1 AS calls FROM llm_calls WHERE payer_id IS NOT NULL
                      UNION ALL SELECT payer_id, cost_micros, 0 FROM llm_abandoned_attempts WHERE payer_id IS NOT NULL) s
                GROUP BY payer_id) spend
       ON spend.payer_id = a.id
     CROSS JOIN LATERAL (
       SELECT COALESCE(max(amount) FILTER (WHERE resource = 'llm_dollars'), 0) AS llm_dollars,
              COALESCE(max(amount) FILTER (WHERE resource = 'compute_rate'), 0) AS compute_rate,
              COALESCE(max(amount) FILTER (WHERE resource = 'compute_capacity'), 0) AS compute_capacity,
              COALESCE(max(amount) FILTER (WHERE resource = 'llm_token_rate'), 0) AS llm_token_rate,
              COALESCE(max(amount) FILTER (WHERE resource = 'llm_token_capacity'), 0) AS llm_token_capacity
       FROM quotas WHERE principal_id = a.id
     ) q
     LEFT JOIN LATERAL (
       SELECT iteration, status, action_type, summary, error, acted_at, thought_at, created_at
       FROM agent_actions WHERE agent_id = a.id ORDER BY iteration DESC LIMIT 1
     ) la ON true
     WHERE a.has_standing AND a.can_execute AND NOT a.genesis
     ORDER BY a.id
     LIMIT $1`,
    [limit, SCRIP],
  );
  return r.rows.map((row) => ({
    id: row.id,
    type: row.type,
    created_at: row.created_at,
    model: row.model,
    scrip: row.scrip,
    llm_spent_micros: row.llm_spent_micros,
    llm_calls: row.llm_calls,
    llm_allowance_micros: row.llm_allowance_micros,
    owned_artifacts: row.owned_artifacts,
    compute: bucketViewFromRow(row.id, 'compute', {
      balance: row.c_balance, updated_us: row.c_updated_us, now_us: row.now_us, rate: row.compute_rate, capacity: row.compute_capacity,
    }),
    llm_tokens: bucketViewFromRow(row.id, 'llm_tokens', {
      balance: row.t_balance, updated_us: row.t_updated_us, now_us: row.now_us, rate: row.llm_token_rate, capacity: row.llm_token_capacity,
    }),
    last_action:
      row.la_iteration === null
        ? null
        : { iteration: row.la_iteration, status: row.la_status, action_type: row.la_action_type, summary: row.la_summary, error: row.la_error, at: row.la_at },
  }));
}

export interface EconomyFigures {
  scrip_supply: number;
  treasury: number;
  principals: number;
  artifacts: number;
  open_listings: number;
  open_bids: number;
  last_event_seq: number;
  next_resolution_at: Date | null;
  /** Null before the first LLM call creates the budget row. */
  budget: { budget_micros: number; spent_micros: number; reserved_micros: number } | null;
  /** Sum of every principal's compute rate: CPU-ms per second the sandbox pool should deliver. */
  compute_rate_total: number;
}

/** The header's figures in one statement. */
export async function economyFigures(db: Db): Promise<EconomyFigures> {
  const r = await db.query(
    `SELECT COALESCE((SELECT -balance FROM accounts WHERE principal_id = $1 AND asset = $3), 0) AS scrip_supply,
            COALESCE((SELECT balance FROM accounts WHERE principal_id = $2 AND asset = $3), 0) AS treasury,
            (SELECT count(*) FROM artifacts WHERE has_standing AND NOT genesis)::bigint AS principals,
            (SELECT count(*) FROM artifacts WHERE NOT genesis)::bigint AS artifacts,
            (SELECT count(*) FROM escrow_listings WHERE status = 'open')::bigint AS open_listings,
            (SELECT count(*) FROM oracle_bids WHERE status = 'open')::bigint AS open_bids,
            COALESCE((SELECT max(seq) FROM events), 0)::bigint AS last_event_seq,
            (SELECT next_resolution_at FROM oracle_state WHERE id) AS next_resolution_at,
            (SELECT COALESCE(sum(amount), 0) FROM quotas WHERE resource = 'compute_rate')::bigint AS compute_rate_total,
            b.budget_micros, b.spent_micros, b.reserved_micros
     FROM (SELECT 1) AS one LEFT JOIN llm_budget b ON b.id`,
    [SYSTEM_ACCOUNTS.mint, SYSTEM_ACCOUNTS.treasury, SCRIP],
  );
  const row = r.rows[0];
  return {
    scrip_supply: row.scrip_supply,
    treasury: row.treasury,
    principals: row.principals,
    artifacts: row.artifacts,
    open_listings: row.open_listings,
    open_bids: row.open_bids,
    last_event_seq: row.last_event_seq,
    next_resolution_at: row.next_resolution_at,
    compute_rate_total: row.compute_rate_total,
    budget: row.budget_micros === null ? null : { budget_micros: row.budget_micros, spent_micros: row.spent_micros, reserved_micros: row.reserved_micros },
  };
}

/** An events row as the dashboard reads it: the same columns as the event follower's. */
export type EventRow = FollowedEvent;

const EVENT_COLUMNS = 'seq, type, actor_id, subject_id, data, created_at';

/** Public events after `after`, oldest first (the dashboard never shows private ones: sealed bids). */
export async function eventsAfter(db: Db, after: number, limit: number): Promise<EventRow[]> {
  return (await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 AND ${publicEventSql()} ORDER BY seq LIMIT $2`, [after, limit])).rows;
}

/** The newest public events, oldest first. */
export async function latestEvents(db: Db, limit: number): Promise<EventRow[]> {
  return (await db.query<EventRow>(`SELECT * FROM (SELECT ${EVENT_COLUMNS} FROM events WHERE ${publicEventSql()} ORDER BY seq DESC LIMIT $1) e ORDER BY seq`, [limit])).rows;
}

/** An escrow listing row with the listed artifact's type. */
export interface ListingView extends ListingRow {
  artifact_type: string | null;
}

const LISTING_COLUMNS = `l.id, l.artifact_id, a.type AS artifact_type, l.seller_id, l.price, l.buyer_id, l.status, l.purchaser_id, l.created_at, l.closed_at`;

/** Open listings (newest first, up to `openLimit`) and the most recently closed ones. */
export async function escrowListings(db: Db, openLimit: number, closedLimit: number): Promise<{ open: ListingView[]; closed: ListingView[] }> {
  const r = await db.query<ListingView>(
    `(SELECT ${LISTING_COLUMNS} FROM escrow_listings l LEFT JOIN artifacts a ON a.id = l.artifact_id
       WHERE l.status = 'open' ORDER BY l.id DESC LIMIT $1)
     UNION ALL
     (SELECT ${LISTING_COLUMNS} FROM escrow_listings l LEFT JOIN artifacts a ON a.id = l.artifact_id
       WHERE l.status <> 'open' ORDER BY l.id DESC LIMIT $2)`,
    [openLimit, closedLimit],
  );
  return { open: r.rows.filter((l) => l.status === 'open'), closed: r.rows.filter((l) => l.status !== 'open') };
}

/** A bounty as the dashboard shows it (never its checker's code), with how many submissions it had. */
export interface BountyBoardRow {
  id: string;
  poster: string;
  description: string;
  reward: number;
  deadline: Date;
  mode: string;
  status: string;
  winner: string | null;
  winning_artifact: string | null;
  score: number | null;
  submissions: number;
  posted_at: Date;
  closed_at: Date | null;
}

const BOUNTY_COLUMNS = `b.id, b.poster, left(b.description, 300) AS description, b.reward, b.deadline, b.mode, b.status, b.winner, b.winning_artifact, b.score,
  (SELECT count(*)::int FROM bounty_submissions s WHERE s.bounty_id = b.id) AS submissions, b.posted_at, b.closed_at`;

/** Open bounties (soonest deadline first, up to `openLimit`) and the most recently closed ones (solved, refunded, cancelled). */
export async function bountyBoard(db: Db, openLimit: number, closedLimit: number): Promise<{ open: BountyBoardRow[]; closed: BountyBoardRow[] }> {
  const r = await db.query<BountyBoardRow>(
    `(SELECT ${BOUNTY_COLUMNS} FROM bounties b WHERE b.status = 'open' ORDER BY b.deadline, b.id LIMIT $1)
     UNION ALL
     (SELECT ${BOUNTY_COLUMNS} FROM bounties b WHERE b.status <> 'open' ORDER BY b.closed_at DESC, b.id LIMIT $2)`,
    [openLimit, closedLimit],
  );
  return { open: r.rows.filter((b) => b.status === 'open'), closed: r.rows.filter((b) => b.status !== 'open') };
}

export interface ResolutionView {
  id: string;
  scheduled_at: Date;
  status: 'scoring' | 'resolved';
  slots: number;
  bid_count: number;
  ubi: { total: number; agents: number; per_agent: number; remainder: number };
  resolved_at: Date | null;
  winners: Array<{ slot: number; bidder: string; artifact_id: string; price: number; state: string; score: number | null; reason: string | null; error: string | null; minted: number }>;
}

/** The latest resolutions with their won slots (winners, prices, scores, what was minted). */
export async function oracleResolutions(db: Db, limit: number): Promise<ResolutionView[]> {
  const r = await db.query(
    `SELECT r.id, r.scheduled_at, r.status, r.slots, r.bid_count, r.ubi_total, r.ubi_agents, r.ubi_per_agent, r.ubi_remainder, r.resolved_at,
            COALESCE((SELECT json_agg(json_build_object('slot', s.slot, 'bidder', s.bidder_id, 'artifact_id', s.artifact_id, 'price', s.price,
                        'state', s.state, 'score', s.score, 'reason', s.reason, 'error', s.error, 'minted', s.minted) ORDER BY s.slot)
                      FROM oracle_slots s WHERE s.resolution_id = r.id), '[]'::json) AS winners
     FROM oracle_resolutions r ORDER BY r.scheduled_at DESC LIMIT $1`,
    [limit],
  );
  return r.rows.map((row) => ({
    id: row.id,
    scheduled_at: row.scheduled_at,
    status: row.status,
    slots: row.slots,
    bid_count: row.bid_count,
    ubi: { total: row.ubi_total, agents: row.ubi_agents, per_agent: row.ubi_per_agent, remainder: row.ubi_remainder },
    resolved_at: row.resolved_at,
    winners: row.winners,
  }));
}

export interface MetricsPoint extends MetricsScalars {
  window_start: Date;
  window_end: Date;
  /** Sum of the compute debts (CPU-ms below zero) when the window was aggregated. */
  compute_debt: number;
  llm_token_debt: number;
  /** Scrip owed on active debt contracts when the window was aggregated. */
  scrip_debt: number;
  /** Rights sold in the window by resource, with their prices per unit (the rights price chart). */
  rights: Record<string, RightWindowTrades>;
  /** Bounties in the window (null in windows aggregated before bounties were recorded). */
  bounties: BountyWindowFigures | null;
}

/** The latest metrics windows, oldest first: the scalar figures, the debt totals, the rights traded and the bounties (not the other breakdowns). */
export async function metricsPoints(db: Db, limit: number): Promise<MetricsPoint[]> {
  const r = await db.query<MetricsPoint>(
    `SELECT * FROM (
       SELECT window_start, window_end, actions, compute_spent, llm_cost_micros, llm_cost_total_micros, scrip_supply, minted,
              transfer_count, transfer_volume, artifacts_created, oracle_resolutions, principals_in_debt,
              COALESCE((SELECT -sum(value::numeric) FROM jsonb_each_text(data->'debt'->'compute')), 0)::bigint AS compute_debt,
              COALESCE((SELECT -sum(value::numeric) FROM jsonb_each_text(data->'debt'->'llm_tokens')), 0)::bigint AS llm_token_debt,
              COALESCE((SELECT sum(value::numeric) FROM jsonb_each_text(data->'debt'->'scrip')), 0)::bigint AS scrip_debt,
              COALESCE(data->'rights', '{}'::jsonb) AS rights, data->'bounties' AS bounties
       FROM metrics_windows ORDER BY window_start DESC LIMIT $1
     ) w ORDER BY window_start`,
    [limit],
  );
  return r.rows;
}

export interface InvocationEdge {
  caller_id: string;
  artifact_id: string;
  calls: number;
  ok: number;
}

export interface GraphArtifact {
  id: string;
  type: string;
  owner_id: string;
  has_standing: boolean;
  can_execute: boolean;
  price: number;
}

/**
 * Who invokes whose artifacts: invocations of agent-written code (the saga's `invocations`, ok when
 * the owner was paid) and operations dispatched to artifacts that are not genesis services, by
 * caller and artifact (the busiest `edgeLimit` pairs); and the artifacts the graph shows with their
 * owners: every invoked one, then principals, then the most recently created others, up to `nodeLimit`.
 */
export async function invocationGraph(db: Db, edgeLimit: number, nodeLimit: number): Promise<{ edges: InvocationEdge[]; artifacts: GraphArtifact[] }> {
  const edges = (
    await db.query<InvocationEdge>(
      `SELECT caller_id, artifact_id, sum(calls)::bigint AS calls, sum(ok)::bigint AS ok FROM (
         SELECT invoker_id AS caller_id, artifact_id, count(*) AS calls, count(*) FILTER (WHERE status = 'paid') AS ok
         FROM invocations GROUP BY invoker_id, artifact_id
         UNION ALL
         SELECT o.caller_id, o.artifact_id, count(*), count(*) FILTER (WHERE o.ok)
         FROM operations o WHERE NOT EXISTS (SELECT 1 FROM artifacts g WHERE g.id = o.artifact_id AND g.genesis)
         GROUP BY o.caller_id, o.artifact_id
       ) pairs
       GROUP BY caller_id, artifact_id ORDER BY calls DESC, caller_id, artifact_id LIMIT $1`,
      [edgeLimit],
    )
  ).rows;
  const invoked = [...new Set(edges.flatMap((e) => [e.artifact_id, e.caller_id]))];
  const artifacts = (
    await db.query<GraphArtifact>(
      `SELECT id, type, owner_id, has_standing, can_execute, price FROM artifacts
       WHERE NOT genesis
       ORDER BY (id = ANY($1::text[])) DESC, has_standing DESC, created_at DESC, id
       LIMIT $2`,
      [invoked, nodeLimit],
    )
  ).rows;
  return { edges, artifacts };
}
