import type { PoolClient } from 'pg';
import type { QuotaSet } from '../config/schema';
import { EcologyError, invalid } from '../errors';
import '../db/int8';

/** Rights a principal holds. Rates are units per second; capacities and stocks are units. */
export const QUOTA_RESOURCES = ['compute_rate', 'compute_capacity', 'llm_token_rate', 'llm_token_capacity', 'disk_bytes', 'llm_dollars'] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];

export type Quotas = Record<QuotaResource, number>;

export function isQuotaResource(s: string): s is QuotaResource {
  return (QUOTA_RESOURCES as readonly string[]).includes(s);
}

/** Adds the (resource, amount) rows of CTE `changes` to what is issued of each right. */
const ISSUE_SQL = (changes: string) => `INSERT INTO quota_issued (resource, amount)
     SELECT resource, sum(amount) FROM ${changes} GROUP BY resource
     ON CONFLICT (resource) DO UPDATE SET amount = quota_issued.amount + EXCLUDED.amount`;

/** Issues a new principal its starting rights (counted in quota_issued). */
export async function grantInitialQuotas(client: PoolClient, principal: string, quotas: QuotaSet): Promise<void> {
  await client.query(
    `WITH granted AS (
       INSERT INTO quotas (principal_id, resource, amount)
       SELECT $1, r, a FROM unnest($2::text[], $3::bigint[]) AS u(r, a)
       ON CONFLICT DO NOTHING RETURNING resource, amount)
     ${ISSUE_SQL('granted')}`,
    [principal, QUOTA_RESOURCES, QUOTA_RESOURCES.map((r) => quotas[r])],
  );
}

/** The operator sets a principal's right to `amount`, issuing (or taking back) the difference. */
export async function setQuota(client: PoolClient, principal: string, resource: QuotaResource, amount: number): Promise<void> {
  const old = await getQuota(client, principal, resource, true);
  await client.query(
    `WITH set AS (
       INSERT INTO quotas (principal_id, resource, amount) VALUES ($1, $2, $3)
       ON CONFLICT (principal_id, resource) DO UPDATE SET amount = EXCLUDED.amount RETURNING resource, amount - $4::bigint AS amount)
     ${ISSUE_SQL('set')}`,
    [principal, resource, amount, old],
  );
}

/** Takes back every right a principal holds (undoing its creation). */
export async function revokeQuotas(client: PoolClient, principal: string): Promise<void> {
  await client.query(
    `WITH taken AS (DELETE FROM quotas WHERE principal_id = $1 RETURNING resource, -amount AS amount)
     ${ISSUE_SQL('taken')}`,
    [principal],
  );
}

export async function getQuotas(client: PoolClient, principal: string): Promise<Quotas> {
  const rows = (await client.query<{ resource: string; amount: number }>('SELECT resource, amount FROM quotas WHERE principal_id = $1', [principal])).rows;
  return quotasFromRows(rows);
}

/** A principal's quota rows as Quotas: every known right, 0 when not held. */
export function quotasFromRows(rows: Array<{ resource: string; amount: number }>): Quotas {
  const out = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, 0])) as Quotas;
  for (const row of rows) if (isQuotaResource(row.resource)) out[row.resource] = row.amount;
  return out;
}

export async function getQuota(client: PoolClient, principal: string, resource: QuotaResource, forUpdate = false): Promise<number> {
  const r = await client.query<{ amount: number }>(
    `SELECT amount FROM quotas WHERE principal_id = $1 AND resource = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [principal, resource],
  );
  return r.rows[0]?.amount ?? 0;
}

export async function allQuotas(client: PoolClient): Promise<Array<{ principal_id: string } & Quotas>> {
  const rows = (await client.query<{ principal_id: string; resource: string; amount: number }>(
    'SELECT principal_id, resource, amount FROM quotas ORDER BY principal_id, resource',
  )).rows;
  const byPrincipal = new Map<string, { principal_id: string } & Quotas>();
  for (const row of rows) {
    let entry = byPrincipal.get(row.principal_id);
    if (!entry) {
      entry = { principal_id: row.principal_id, ...(Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, 0])) as Quotas) };
      byPrincipal.set(row.principal_id, entry);
    }
    if (isQuotaResource(row.resource)) entry[row.resource] = row.amount;
  }
  return [...byPrincipal.values()];
}

/**
 * What running work holds of a principal's right: open LLM calls hold their worst case of its
 * llm_dollars until they settle, so that part cannot move (settling must find it still there).
 */
async function reservedOf(client: PoolClient, principal: string, resource: QuotaResource): Promise<number> {
  if (resource !== 'llm_dollars') return 0;
  const r = await client.query<{ held: number }>(
    `SELECT COALESCE(sum(reserved_micros), 0)::bigint AS held FROM llm_calls WHERE payer_id = $1 AND status = 'reserved'`,
    [principal],
  );
  return r.rows[0].held;
}

/**
 * Moves `amount` of a right, never the part running work holds; both rows locked in a fixed order
 * (a call's claim holds the payer's row while it reserves, so what is reserved is read after it).
 * The caller settles buckets first.
 */
export async function moveQuota(client: PoolClient, from: string, to: string, resource: QuotaResource, amount: number): Promise<{ from_amount: number; to_amount: number }> {
  if (from === to) throw invalid('cannot transfer a quota to oneself');
  await client.query(
    `INSERT INTO quotas (principal_id, resource, amount) VALUES ($1, $3, 0), ($2, $3, 0) ON CONFLICT DO NOTHING`,
    [from, to, resource],
  );
  await client.query('SELECT 1 FROM quotas WHERE principal_id = ANY($1) AND resource = $2 ORDER BY principal_id FOR UPDATE', [[from, to], resource]);
  const reserved = await reservedOf(client, from, resource);
  const dec = await client.query<{ amount: number }>(
    'UPDATE quotas SET amount = amount - $3 WHERE principal_id = $1 AND resource = $2 AND amount - $4 >= $3 RETURNING amount',
    [from, resource, amount, reserved],
  );
  if (dec.rowCount === 0) {
    const held = await getQuota(client, from, resource);
    const of = reserved > 0 ? ` (${reserved} of it reserved by LLM calls in flight)` : '';
    throw new EcologyError('INSUFFICIENT_FUNDS', `${from} holds ${held} ${resource}${of}, cannot transfer ${amount}`, { held, reserved, needed: amount });
  }
  const inc = await client.query<{ amount: number }>(
    'UPDATE quotas SET amount = amount + $3 WHERE principal_id = $1 AND resource = $2 RETURNING amount',
    [to, resource, amount],
  );
  return { from_amount: dec.rows[0].amount, to_amount: inc.rows[0].amount };
}
