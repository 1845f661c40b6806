import type { Pool, PoolClient } from 'pg';
import type { EcologyConfig } from '../config/schema';
import '../db/int8';

/** The system-wide LLM dollar budget (table llm_budget, one row). */
export interface BudgetRow {
  budget_micros: number;
  reserved_micros: number;
  spent_micros: number;
}

export interface BudgetStatus extends BudgetRow {
  remaining_micros: number;
  exhausted: boolean;
}

/** What can still be reserved: the budget less what is spent and what running calls hold. */
export function remainingMicros(b: BudgetRow): number {
  return Math.max(0, b.budget_micros - b.spent_micros - b.reserved_micros);
}

function status(b: BudgetRow): BudgetStatus {
  const remaining = remainingMicros(b);
  return { ...b, remaining_micros: remaining, exhausted: remaining === 0 };
}

/**
 * Locks the budget row for this transaction, creating it on first use. Its size follows the
 * configuration (raise `llm.systemBudgetMicros` and restart to add money); what is spent stays.
 */
export async function lockBudget(client: PoolClient, budgetMicros: number): Promise<BudgetRow> {
  const r = await client.query<BudgetRow>(
    `INSERT INTO llm_budget (id, budget_micros) VALUES (true, $1)
     ON CONFLICT (id) DO UPDATE SET budget_micros = EXCLUDED.budget_micros
     RETURNING budget_micros, reserved_micros, spent_micros`,
    [budgetMicros],
  );
  return r.rows[0];
}

/** Holds `micros` against the budget; the caller checked it fits under the lock. */
export async function holdBudget(client: PoolClient, micros: number): Promise<void> {
  if (micros === 0) return;
  await client.query('UPDATE llm_budget SET reserved_micros = reserved_micros + $1, updated_at = now() WHERE id', [micros]);
}

/** Gives back a hold and records what was actually spent, in one statement. */
export async function settleBudget(client: PoolClient, s: { release: number; spend: number }): Promise<void> {
  if (s.release === 0 && s.spend === 0) return;
  await client.query(
    'UPDATE llm_budget SET reserved_micros = reserved_micros - $1, spent_micros = spent_micros + $2, updated_at = now() WHERE id',
    [s.release, s.spend],
  );
}

/**
 * The budget as of now. With `config`, the row is first brought to the configured size. Without
 * it the row is read as it is; before the first call there is none, which reads as not exhausted
 * (budget 0, nothing spent): the first call creates it from configuration.
 */
export async function getBudgetStatus(pool: Pool, config?: EcologyConfig): Promise<BudgetStatus> {
  if (config) {
    const client = await pool.connect();
    try {
      return status(await lockBudget(client, config.llm.systemBudgetMicros));
    } finally {
      client.release();
    }
  }
  const r = await pool.query<BudgetRow>('SELECT budget_micros, reserved_micros, spent_micros FROM llm_budget WHERE id');
  if (!r.rows[0]) return { budget_micros: 0, reserved_micros: 0, spent_micros: 0, remaining_micros: 0, exhausted: false };
  return status(r.rows[0]);
}

export interface RecordedSpend {
  /** Sum of cost_micros over every recorded call (what the provider reported, at the price). */
  calls_cost_micros: number;
  /** Sum of the tokens the recorded calls were charged. */
  calls_tokens: number;
  /** Attempts whose outcome is unknown (their worker died), charged their worst case. */
  abandoned_attempts: number;
  abandoned_cost_micros: number;
  abandoned_tokens: number;
  succeeded_calls: number;
  failed_calls: number;
  open_calls: number;
  /** Sum of what open calls hold. */
  calls_reserved_micros: number;
  budget: BudgetStatus;
}

/** The per-call records summed next to the budget row (tests and the audit compare them). */
export async function recordedSpend(pool: Pool): Promise<RecordedSpend> {
  const r = await pool.query<{ cost: number; tokens: number; ok: number; failed: number; open: number; reserved: number; abandoned: number; abandoned_cost: number; abandoned_tokens: number }>(
    `SELECT COALESCE(sum(cost_micros), 0)::bigint AS cost,
            COALESCE(sum(prompt_tokens::bigint + completion_tokens), 0)::bigint AS tokens,
            (SELECT count(*) FROM llm_abandoned_attempts)::bigint AS abandoned,
            (SELECT COALESCE(sum(cost_micros), 0) FROM llm_abandoned_attempts)::bigint AS abandoned_cost,
            (SELECT COALESCE(sum(tokens), 0) FROM llm_abandoned_attempts)::bigint AS abandoned_tokens,
            count(*) FILTER (WHERE status = 'succeeded')::bigint AS ok,
            count(*) FILTER (WHERE status = 'failed')::bigint AS failed,
            count(*) FILTER (WHERE status = 'reserved')::bigint AS open,
            COALESCE(sum(reserved_micros), 0)::bigint AS reserved
     FROM llm_calls`,
  );
  const row = r.rows[0];
  return {
    calls_cost_micros: row.cost,
    calls_tokens: row.tokens,
    abandoned_attempts: row.abandoned,
    abandoned_cost_micros: row.abandoned_cost,
    abandoned_tokens: row.abandoned_tokens,
    succeeded_calls: row.ok,
    failed_calls: row.failed,
    open_calls: row.open,
    calls_reserved_micros: row.reserved,
    budget: await getBudgetStatus(pool),
  };
}
