/** SQL of the metrics windows: reading each source by time range, and the metrics_windows table. */
import type { PoolClient } from 'pg';
import { publicEventSql } from '../events/visibility';
import { SCRIP, SEALED_ACCOUNTS, SYSTEM_ACCOUNTS } from '../ids';
import { journalPublicSql } from '../ledger/sealed';
import type { BountyWindowFigures, MetricsWindow, MetricsWindowBounds, MetricsWindowData } from './types';
import '../db/int8';

type Db = Pick<PoolClient, 'query'>;

/** Finished actions ([start, end) by the time they finished) by agent, status and action type. */
export async function actionCounts(db: Db, w: MetricsWindowBounds): Promise<Array<{ agent_id: string; status: 'done' | 'failed' | 'invalid'; action_type: string | null; n: number }>> {
  const r = await db.query(
    `SELECT agent_id, status, action_type, count(*) AS n FROM agent_actions
     WHERE status IN ('done', 'failed', 'invalid') AND COALESCE(acted_at, thought_at) >= $1 AND COALESCE(acted_at, thought_at) < $2
     GROUP BY agent_id, status, action_type`,
    [w.start, w.end],
  );
  return r.rows;
}

/** CPU-ms charged to compute buckets (bucket effects of kind spend:compute), by principal. */
export async function computeSpent(db: Db, w: MetricsWindowBounds): Promise<Array<{ principal: string; amount: number }>> {
  const r = await db.query(
    `SELECT payload->>'principal' AS principal, sum((payload->>'amount')::bigint)::bigint AS amount FROM resource_effects
     WHERE kind = 'spend:compute' AND created_at >= $1 AND created_at < $2
     GROUP BY 1`,
    [w.start, w.end],
  );
  return r.rows;
}

/**
 * LLM calls by payer (null: the system), counted when they finished: the cost is known only then,
 * so a call that runs across a window's end belongs to the window where it settled. The cost also
 * holds the worst cases charged for attempts whose outcome was unknown, when they were charged.
 */
export async function llmSpent(db: Db, w: MetricsWindowBounds): Promise<Array<{ payer_id: string | null; calls: number; cost_micros: number; prompt_tokens: number; completion_tokens: number }>> {
  const r = await db.query(
    `SELECT payer_id, sum(calls)::bigint AS calls, sum(cost_micros)::bigint AS cost_micros,
            sum(prompt_tokens)::bigint AS prompt_tokens, sum(completion_tokens)::bigint AS completion_tokens
     FROM (SELECT payer_id, 1 AS calls, cost_micros, prompt_tokens, completion_tokens FROM llm_calls WHERE finished_at >= $1 AND finished_at < $2
           UNION ALL
           SELECT payer_id, 0, cost_micros, 0, 0 FROM llm_abandoned_attempts WHERE charged_at >= $1 AND charged_at < $2) spent
     GROUP BY payer_id`,
    [w.start, w.end],
  );
  return r.rows;
}

/** Micro-dollars of every LLM call finished, and every abandoned attempt charged, before `end`. */
export async function llmSpentBefore(db: Db, end: Date): Promise<number> {
  const r = await db.query<{ total: number }>(
    `SELECT (SELECT COALESCE(sum(cost_micros), 0) FROM llm_calls WHERE finished_at < $1)::bigint
          + (SELECT COALESCE(sum(cost_micros), 0) FROM llm_abandoned_attempts WHERE charged_at < $1)::bigint AS total`,
    [end],
  );
  return r.rows[0]!.total;
}

/** Scrip the mint issued and took back before `end` (supply = issued - returned). */
export async function mintFlowsBefore(db: Db, end: Date): Promise<{ issued: number; returned: number }> {
  const r = await db.query<{ issued: number; returned: number }>(
    `SELECT COALESCE(sum(amount) FILTER (WHERE debit_principal = $1), 0)::bigint AS issued,
            COALESCE(sum(amount) FILTER (WHERE credit_principal = $1), 0)::bigint AS returned
     FROM journal WHERE asset = $2 AND created_at < $3 AND $1 IN (debit_principal, credit_principal)`,
    [SYSTEM_ACCOUNTS.mint, SCRIP, end],
  );
  return r.rows[0]!;
}

/**
 * Scrip journal entries in the window, by kind, with what the mint issued and took back. Movements
 * of sealed accounts (oracle bids, their refunds and the UBI paid from the hold) are left out: they
 * would show a sealed bid; the oracle's results give what a resolution paid.
 */
export async function scripTransfers(db: Db, w: MetricsWindowBounds): Promise<Array<{ kind: string; count: number; volume: number; minted: number; returned: number }>> {
  const r = await db.query(
    `SELECT kind, count(*) AS count, sum(amount)::bigint AS volume,
            COALESCE(sum(amount) FILTER (WHERE debit_principal = $3), 0)::bigint AS minted,
            COALESCE(sum(amount) FILTER (WHERE credit_principal = $3), 0)::bigint AS returned
     FROM journal WHERE asset = $4 AND created_at >= $1 AND created_at < $2 AND ${journalPublicSql('$5::text[]')}
     GROUP BY kind`,
    [w.start, w.end, SYSTEM_ACCOUNTS.mint, SCRIP, SEALED_ACCOUNTS],
  );
  return r.rows;
}

/** What each debtor owes now on its active scrip debt contracts (genesis_debt), in total. */
export async function scripDebtsOutstanding(db: Db): Promise<Array<{ debtor_id: string; outstanding: number }>> {
  const r = await db.query(
    `SELECT debtor_id, sum(amount - repaid)::bigint AS outstanding FROM debts WHERE status = 'active' GROUP BY debtor_id ORDER BY debtor_id`,
  );
  return r.rows;
}

/** Public events of one type in the window, oldest first. */
export async function eventsOfType(db: Db, type: string, w: MetricsWindowBounds): Promise<Array<{ actor_id: string | null; subject_id: string | null; data: Record<string, unknown> }>> {
  const r = await db.query(
    `SELECT actor_id, subject_id, data FROM events WHERE type = $1 AND created_at >= $2 AND created_at < $3 AND ${publicEventSql()} ORDER BY seq`,
    [type, w.start, w.end],
  );
  return r.rows;
}

/**
 * Bounties in the window: posted, solved and closed unsolved by their (public) events, with the
 * rewards they carry; submissions by the status their check ended with (checked_at in the window).
 */
export async function bountyFigures(db: Db, w: MetricsWindowBounds): Promise<BountyWindowFigures> {
  const r = await db.query<BountyWindowFigures>(
    `SELECT e.*, s.* FROM
       (SELECT count(*) FILTER (WHERE type = 'bounty_posted')::int AS posted,
               COALESCE(sum(reward) FILTER (WHERE type = 'bounty_posted'), 0)::bigint AS posted_rewards,
               count(*) FILTER (WHERE type = 'bounty_solved')::int AS solved,
               COALESCE(sum(reward) FILTER (WHERE type = 'bounty_solved'), 0)::bigint AS rewards_paid,
               count(*) FILTER (WHERE type = 'bounty_refunded' AND status = 'refunded')::int AS refunded,
               count(*) FILTER (WHERE type = 'bounty_refunded' AND status = 'cancelled')::int AS cancelled,
               COALESCE(sum(reward) FILTER (WHERE type = 'bounty_refunded'), 0)::bigint AS rewards_returned
        FROM (SELECT type, (data->>'reward')::bigint AS reward, data->>'status' AS status FROM events
              WHERE type IN ('bounty_posted', 'bounty_solved', 'bounty_refunded') AND created_at >= $1 AND created_at < $2 AND ${publicEventSql()}) b) e,
       (SELECT count(*)::int AS checked,
               count(*) FILTER (WHERE status = 'passed')::int AS passed,
               count(*) FILTER (WHERE status = 'failed')::int AS failed,
               count(*) FILTER (WHERE status = 'late')::int AS late
        FROM bounty_submissions WHERE checked_at >= $1 AND checked_at < $2) s`,
    [w.start, w.end],
  );
  return r.rows[0]!;
}

/** The database's clock (the aggregation's `as of`). */
export async function dbNow(db: Db): Promise<Date> {
  return (await db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
}

export type WindowFigures = Omit<MetricsWindow, 'window_start' | 'window_end' | 'computed_at'>;

/** Writes a window's row, replacing an earlier aggregation of the same window. */
export async function upsertWindow(db: Db, w: MetricsWindowBounds, f: WindowFigures): Promise<MetricsWindow> {
  const r = await db.query(
    `INSERT INTO metrics_windows (window_start, window_end, actions, compute_spent, llm_cost_micros, llm_cost_total_micros, scrip_supply,
                                  minted, transfer_count, transfer_volume, artifacts_created, oracle_resolutions, principals_in_debt, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (window_start) DO UPDATE SET
       window_end = EXCLUDED.window_end, actions = EXCLUDED.actions, compute_spent = EXCLUDED.compute_spent,
       llm_cost_micros = EXCLUDED.llm_cost_micros, llm_cost_total_micros = EXCLUDED.llm_cost_total_micros,
       scrip_supply = EXCLUDED.scrip_supply, minted = EXCLUDED.minted, transfer_count = EXCLUDED.transfer_count,
       transfer_volume = EXCLUDED.transfer_volume, artifacts_created = EXCLUDED.artifacts_created,
       oracle_resolutions = EXCLUDED.oracle_resolutions, principals_in_debt = EXCLUDED.principals_in_debt,
       data = EXCLUDED.data, computed_at = now()
     RETURNING *`,
    [
      w.start, w.end, f.actions, f.compute_spent, f.llm_cost_micros, f.llm_cost_total_micros, f.scrip_supply,
      f.minted, f.transfer_count, f.transfer_volume, f.artifacts_created, f.oracle_resolutions, f.principals_in_debt, JSON.stringify(f.data),
    ],
  );
  return toWindow(r.rows[0]);
}

function toWindow(row: Record<string, unknown>): MetricsWindow {
  return {
    ...(row as unknown as MetricsWindow),
    window_start: (row.window_start as Date).toISOString(),
    window_end: (row.window_end as Date).toISOString(),
    computed_at: (row.computed_at as Date).toISOString(),
    data: row.data as MetricsWindowData,
  };
}

/** The most recent windows, newest first. */
export async function recentWindows(db: Db, limit: number): Promise<MetricsWindow[]> {
  const r = await db.query('SELECT * FROM metrics_windows ORDER BY window_start DESC LIMIT $1', [limit]);
  return r.rows.map(toWindow);
}

export async function getWindow(db: Db, start: Date): Promise<MetricsWindow | null> {
  const r = await db.query('SELECT * FROM metrics_windows WHERE window_start = $1', [start]);
  return r.rows[0] ? toWindow(r.rows[0]) : null;
}
