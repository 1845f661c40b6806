import type { Pool, PoolClient } from 'pg';
import { llmBudgetCheck } from '../llm/audit';
import { oracleHoldCheck } from '../oracle/audit';
import { invocationHoldCheck } from '../invoke/audit';
import { quotasConservedCheck } from '../rights/audit';
import { bountyHoldCheck } from '../bounties/audit';

export interface AuditCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface AuditReport {
  ok: boolean;
  checks: AuditCheck[];
}

/** A further invariant a later part registers (oracle bid holds, invocation holds). */
export type ExtraCheck = (client: PoolClient) => Promise<AuditCheck>;

async function sumsToZero(c: PoolClient): Promise<AuditCheck> {
  const r = await c.query<{ asset: string; total: string }>('SELECT asset, sum(balance)::text AS total FROM accounts GROUP BY asset HAVING sum(balance) <> 0');
  return {
    name: 'asset_sums_to_zero',
    ok: r.rowCount === 0,
    detail: r.rowCount === 0 ? 'every asset sums to zero across its accounts' : r.rows.map((x) => `${x.asset} sums to ${x.total}`).join('; '),
  };
}

async function balancesMatchJournal(c: PoolClient): Promise<AuditCheck> {
  const r = await c.query<{ principal_id: string; asset: string; balance: number; journal: string }>(`
    WITH flows AS (
      SELECT credit_principal AS principal_id, asset, amount AS delta FROM journal
      UNION ALL
      SELECT debit_principal, asset, -amount FROM journal
    ), sums AS (SELECT principal_id, asset, sum(delta) AS total FROM flows GROUP BY principal_id, asset)
    SELECT a.principal_id, a.asset, a.balance, COALESCE(s.total, 0)::text AS journal
    FROM accounts a LEFT JOIN sums s USING (principal_id, asset)
    WHERE a.balance <> COALESCE(s.total, 0)
    LIMIT 20`);
  return {
    name: 'balances_match_journal',
    ok: r.rowCount === 0,
    detail: r.rowCount === 0 ? 'every balance equals the sum of its journal entries' : r.rows.map((x) => `${x.principal_id}/${x.asset}: balance ${x.balance}, journal ${x.journal}`).join('; '),
  };
}

async function noNegativeBalances(c: PoolClient): Promise<AuditCheck> {
  const r = await c.query<{ principal_id: string; balance: number }>(
    `SELECT principal_id, balance FROM accounts WHERE balance < 0 AND (NOT is_system OR principal_id <> 'mint') LIMIT 20`,
  );
  return {
    name: 'no_negative_balances',
    ok: r.rowCount === 0,
    detail: r.rowCount === 0 ? 'no balance but the mint is negative' : r.rows.map((x) => `${x.principal_id}: ${x.balance}`).join('; '),
  };
}

async function escrowHoldsListings(c: PoolClient): Promise<AuditCheck> {
  const r = await c.query<{ artifact_id: string; problem: string }>(`
    SELECT id AS artifact_id, 'held by escrow without an open listing' AS problem FROM artifacts a
    WHERE owner_id = 'genesis_escrow' AND NOT a.genesis AND NOT EXISTS (SELECT 1 FROM escrow_listings l WHERE l.artifact_id = a.id AND l.status = 'open')
    UNION ALL
    SELECT l.artifact_id, 'open listing not held by escrow' FROM escrow_listings l JOIN artifacts a ON a.id = l.artifact_id
    WHERE l.status = 'open' AND a.owner_id <> 'genesis_escrow'
    UNION ALL
    SELECT 'right ' || resource, 'escrow holds ' || COALESCE(held, 0) || ', open offers ' || COALESCE(offered, 0)
    FROM (SELECT resource, amount AS held FROM quotas WHERE principal_id = 'genesis_escrow') h
    FULL JOIN (SELECT resource, sum(amount) AS offered FROM right_offers WHERE status = 'open' AND resource <> 'compute' GROUP BY resource) o USING (resource)
    WHERE COALESCE(held, 0) <> COALESCE(offered, 0)
    LIMIT 20`);
  return {
    name: 'holdings_match_open_positions',
    ok: r.rowCount === 0,
    detail: r.rowCount === 0 ? 'the escrow holds exactly the artifacts of its open listings and the rights of its open offers' : r.rows.map((x) => `${x.artifact_id}: ${x.problem}`).join('; '),
  };
}

/**
 * Invariant 5: every recorded operation and effect has its first outcome stored (a repeat replays
 * it; see dispatch), and no transfer was applied under two ids from one operation key.
 */
async function idempotencyRecords(c: PoolClient): Promise<AuditCheck> {
  const r = await c.query<{ kind: string; n: string }>(`
    SELECT 'operation without stored outcome' AS kind, count(*)::text AS n FROM operations WHERE result = 'null'::jsonb
    UNION ALL
    SELECT 'effect without stored result', count(*)::text FROM resource_effects WHERE result = 'null'::jsonb`);
  const bad = r.rows.filter((x) => x.n !== '0');
  return {
    name: 'idempotency_records_complete',
    ok: bad.length === 0,
    detail: bad.length === 0 ? 'every operation and effect stores its first result for replay' : bad.map((x) => `${x.n} ${x.kind}`).join('; '),
  };
}

const CORE_CHECKS = [sumsToZero, balancesMatchJournal, noNegativeBalances, escrowHoldsListings, idempotencyRecords, oracleHoldCheck, llmBudgetCheck, invocationHoldCheck, quotasConservedCheck, bountyHoldCheck];

/** Runs every invariant in one repeatable-read snapshot. */
export async function audit(pool: Pool, extra: ExtraCheck[] = []): Promise<AuditReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const checks: AuditCheck[] = [];
    for (const check of [...CORE_CHECKS, ...extra]) checks.push(await check(client));
    await client.query('COMMIT');
    return { ok: checks.every((c) => c.ok), checks };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
