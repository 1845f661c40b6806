import type { PoolClient } from 'pg';
import { EcologyError, invalid } from '../errors';
import { claimCte, once, replayEffect, storeResultCte } from '../db/idempotency';
import { emit } from '../events/emit';
import type { QuotaResource } from '../rights/quotas';
import { recoveryUs, settle, type BucketRights, type BucketState } from './math';
import '../db/int8';

export const BUCKET_RESOURCES = ['compute', 'llm_tokens'] as const;
export type BucketResource = (typeof BUCKET_RESOURCES)[number];

const RIGHTS: Record<BucketResource, { rate: QuotaResource; capacity: QuotaResource }> = {
  compute: { rate: 'compute_rate', capacity: 'compute_capacity' },
  llm_tokens: { rate: 'llm_token_rate', capacity: 'llm_token_capacity' },
};

export interface BucketView {
  principal: string;
  resource: BucketResource;
  /** Available now, from the database clock; negative means debt. */
  available: number;
  rate: number;
  capacity: number;
  in_debt: boolean;
  /** ISO time at which a bucket in debt is back at zero; null if not in debt or never. */
  recovers_at: string | null;
}

/** A bucket's columns as the statements below return them; balance is null when the row is missing. */
export interface BucketRow {
  balance: number | null;
  updated_us: string | null;
  now_us: string;
  rate: number;
  capacity: number;
}

/** A bucket as BUCKET_READ_SQL read it, with its row version (xmin), so a later write can tell whether it changed. */
export interface SeenBucket extends BucketRow {
  xmin: string | null;
}

/** The row's clock and the database's (the transaction's start), in microseconds since the epoch. */
const CLOCKS = `(extract(epoch FROM b.updated_at) * 1000000)::bigint::text AS updated_us,
  (extract(epoch FROM now()) * 1000000)::bigint::text AS now_us`;

/**
 * A bucket as of now, without locking, in one statement: its row (or nulls), the row version, the
 * clock and both rights (0 when not held). Placeholders: $1 principal, $2 resource, $3 rate right,
 * $4 capacity right. Exported so that dispatch can read the caller's bucket in its first statement.
 */
export const BUCKET_READ_SQL = `SELECT b.balance, b.xmin::text AS xmin, ${CLOCKS},
  COALESCE((SELECT amount FROM quotas WHERE principal_id = $1 AND resource = $3), 0) AS rate,
  COALESCE((SELECT amount FROM quotas WHERE principal_id = $1 AND resource = $4), 0) AS capacity
  FROM (SELECT 1) AS one LEFT JOIN buckets b ON b.principal_id = $1 AND b.resource = $2`;

/**
 * BUCKET_READ_SQL's row (without xmin) as a scalar sub-select yielding JSON, for statements that
 * read a bucket next to other things in one round trip; `principal` is an SQL expression such as
 * a placeholder. Give the result to bucketViewFromRow.
 */
export function bucketJsonSql(principal: string, resource: BucketResource): string {
  const { rate, capacity } = RIGHTS[resource];
  return `(SELECT json_build_object('balance', b.balance, 'updated_us', (extract(epoch FROM b.updated_at) * 1000000)::bigint::text,
      'now_us', (extract(epoch FROM now()) * 1000000)::bigint::text,
      'rate', COALESCE((SELECT amount FROM quotas WHERE principal_id = ${principal} AND resource = '${rate}'), 0),
      'capacity', COALESCE((SELECT amount FROM quotas WHERE principal_id = ${principal} AND resource = '${capacity}'), 0))
    FROM (SELECT 1) AS one LEFT JOIN buckets b ON b.principal_id = ${principal} AND b.resource = '${resource}')`;
}

/**
 * The columns of a SeenBucket for a bucket joined as `b` (possibly missing) and owned by
 * `principal`, an SQL expression: for statements that lock their own row and read the payer's
 * bucket beside it, as BUCKET_READ_SQL reads it, for spendSeen.
 */
export function seenBucketColumnsSql(principal: string, resource: BucketResource): string {
  const { rate, capacity } = RIGHTS[resource];
  return `b.balance, b.xmin::text AS xmin, ${CLOCKS},
    COALESCE((SELECT amount FROM quotas WHERE principal_id = ${principal} AND resource = '${rate}'), 0) AS rate,
    COALESCE((SELECT amount FROM quotas WHERE principal_id = ${principal} AND resource = '${capacity}'), 0) AS capacity`;
}

export function bucketReadValues(principal: string, resource: BucketResource): [string, BucketResource, QuotaResource, QuotaResource] {
  return [principal, resource, RIGHTS[resource].rate, RIGHTS[resource].capacity];
}

/**
 * Locks a bucket row, then reads the rights with FOR KEY SHARE: a locking read returns the latest
 * committed rights (as a fresh statement after the lock would), even when this statement waited for
 * a transaction that settled the bucket and changed them. `gate` lets a claim decide whether to
 * lock at all. Placeholders as in BUCKET_READ_SQL; no row when the bucket does not exist.
 */
function lockSql(gate = 'true'): string {
  return `SELECT b.balance, ${CLOCKS}, r.rate, r.capacity
    FROM (SELECT principal_id, balance, updated_at FROM buckets WHERE principal_id = $1 AND resource = $2 AND ${gate} FOR UPDATE) b
    CROSS JOIN LATERAL (
      SELECT COALESCE(max(q.amount) FILTER (WHERE q.resource = $3), 0) AS rate,
             COALESCE(max(q.amount) FILTER (WHERE q.resource = $4), 0) AS capacity
      FROM (SELECT resource, amount FROM quotas WHERE principal_id = b.principal_id AND resource IN ($3, $4) FOR KEY SHARE) q
    ) r`;
}

/** Claims an effect id ($5 id, $6 kind, $7 payload) and, only when the claim is new, locks the bucket. */
const CLAIM_AND_LOCK_SQL = `WITH ${claimCte(5)}
  SELECT EXISTS (SELECT 1 FROM claim) AS claimed, l.*
  FROM (SELECT 1) AS one LEFT JOIN LATERAL (${lockSql('EXISTS (SELECT 1 FROM claim)')}) l ON true`;

const WRITE_SQL = `UPDATE buckets SET balance = $3, updated_at = 'epoch'::timestamptz + $4::bigint * interval '1 microsecond'
  WHERE principal_id = $1 AND resource = $2`;

/** The write of an effect and its stored result ($5 effect id, $6 result JSON), in one round trip. */
const WRITE_AND_STORE_SQL = `WITH ${storeResultCte(5, 6)} ${WRITE_SQL}`;

interface Locked {
  state: BucketState;
  rights: BucketRights;
  nowUs: number;
}

function settled(row: BucketRow & { balance: number; updated_us: string }): Locked {
  const rights = { rate: row.rate, capacity: row.capacity };
  const nowUs = Number(row.now_us);
  return { state: settle({ balance: row.balance, updatedUs: Number(row.updated_us) }, rights, nowUs), rights, nowUs };
}

function createIfMissing(client: PoolClient, principal: string, resource: BucketResource): Promise<unknown> {
  return client.query('INSERT INTO buckets (principal_id, resource, balance) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING', [principal, resource]);
}

/** Locks the bucket row (creating it at zero if missing) and brings it forward to the database's now(). */
async function lockAndSettle(client: PoolClient, principal: string, resource: BucketResource): Promise<Locked> {
  for (;;) {
    const r = await client.query<BucketRow>({ name: 'bucket_lock', text: lockSql(), values: bucketReadValues(principal, resource) });
    const row = r.rows[0];
    if (row && row.balance !== null && row.updated_us !== null) return settled({ ...row, balance: row.balance, updated_us: row.updated_us });
    await createIfMissing(client, principal, resource);
  }
}

async function write(client: PoolClient, principal: string, resource: BucketResource, state: BucketState): Promise<void> {
  await client.query({ name: 'bucket_write', text: WRITE_SQL, values: [principal, resource, state.balance, state.updatedUs] });
}

function view(principal: string, resource: BucketResource, state: BucketState, rights: BucketRights): BucketView {
  const inDebt = state.balance < 0;
  const rec = inDebt ? recoveryUs(state, rights) : null;
  return {
    principal,
    resource,
    available: state.balance,
    rate: rights.rate,
    capacity: rights.capacity,
    in_debt: inDebt,
    recovers_at: rec === null ? null : new Date(Math.ceil(rec / 1000)).toISOString(),
  };
}

/** The view of a row read by BUCKET_READ_SQL (a missing bucket reads as zero now). */
export function bucketViewFromRow(principal: string, resource: BucketResource, row: BucketRow): BucketView {
  const rights = { rate: row.rate, capacity: row.capacity };
  const state =
    row.balance !== null && row.updated_us !== null
      ? settle({ balance: row.balance, updatedUs: Number(row.updated_us) }, rights, Number(row.now_us))
      : { balance: 0, updatedUs: Date.now() * 1000 };
  return view(principal, resource, state, rights);
}

/** Reads a bucket as of now without writing. */
export async function readBucket(client: PoolClient, principal: string, resource: BucketResource): Promise<BucketView> {
  const r = await client.query<BucketRow>({ name: 'bucket_read', text: BUCKET_READ_SQL, values: bucketReadValues(principal, resource) });
  return bucketViewFromRow(principal, resource, r.rows[0]);
}

/** Settles and rewrites a bucket at the current rights; call before changing its rate or capacity. */
export async function settleBucket(client: PoolClient, principal: string, resource: BucketResource): Promise<void> {
  const { state } = await lockAndSettle(client, principal, resource);
  await write(client, principal, resource, state);
}

export interface BucketEffect {
  /** Caller-made idempotency key. */
  id: string;
  principal: string;
  resource: BucketResource;
  amount: number;
  kind: string;
}

/**
 * once() for a change of one bucket by `delta`, in two round trips: claim the id and lock the
 * bucket; write the bucket and store the result. A repeat replays the first result.
 */
async function changeOnce(client: PoolClient, e: BucketEffect, kind: 'spend' | 'grant', delta: number): Promise<BucketView> {
  const effect = { id: e.id, kind: `${kind}:${e.resource}`, payload: e };
  const r = await client.query<BucketRow & { claimed: boolean }>({
    name: 'bucket_claim_and_lock',
    text: CLAIM_AND_LOCK_SQL,
    values: [...bucketReadValues(e.principal, e.resource), effect.id, effect.kind, JSON.stringify(effect.payload)],
  });
  const row = r.rows[0];
  if (!row.claimed) return replayEffect<BucketView>(client, effect);
  const locked = row.balance !== null && row.updated_us !== null ? settled({ ...row, balance: row.balance, updated_us: row.updated_us }) : await lockAndSettle(client, e.principal, e.resource);
  return writeClaimed(client, e, effect.id, locked, delta);
}

/** The second half of a claimed change: write the locked bucket moved by `delta` and store the result. */
async function writeClaimed(client: PoolClient, e: BucketEffect, effectId: string, locked: Locked, delta: number): Promise<BucketView> {
  const next = { ...locked.state, balance: locked.state.balance + delta };
  const result = view(e.principal, e.resource, next, locked.rights);
  await client.query({
    name: 'bucket_write_and_store',
    text: WRITE_AND_STORE_SQL,
    values: [e.principal, e.resource, next.balance, next.updatedUs, effectId, JSON.stringify(result)],
  });
  return result;
}

/** A write of the caller's own that rides along with spendSeen's statement: a CTE on placeholders from `first`. */
export interface AlsoWrite {
  /** Names the prepared statement (the CTE text must be the same every time). */
  name: string;
  cte: (first: number) => string;
  values: unknown[];
}

/**
 * spend() of a bucket this transaction read earlier with BUCKET_READ_SQL (before changing it), in
 * one round trip with the caller's own last write: claim the id with the result already worked out
 * from what was read, and write the bucket only if it is still that row version with the same
 * rights. Otherwise (someone changed it meanwhile) lock it and charge it as spend() does; a used id
 * replays as in spend(). The end state is spend()'s.
 */
export async function spendSeen(client: PoolClient, e: BucketEffect, seen: SeenBucket, also: AlsoWrite): Promise<BucketView> {
  if (!Number.isSafeInteger(e.amount) || e.amount < 0) throw invalid('charge must be a non-negative whole number');
  if (seen.balance === null || seen.updated_us === null || seen.xmin === null) {
    const result = await spend(client, e);
    await client.query({ name: `${also.name}_alone`, text: `WITH ${also.cte(1)} SELECT 1`, values: also.values });
    return result;
  }
  const effect = { id: e.id, kind: `spend:${e.resource}`, payload: e };
  const planned = settled({ ...seen, balance: seen.balance, updated_us: seen.updated_us });
  const next = { ...planned.state, balance: planned.state.balance - e.amount };
  const result = view(e.principal, e.resource, next, planned.rights);
  const r = await client.query<{ claimed: boolean; charged: boolean }>({
    name: `bucket_spend_seen_${also.name}`,
    text: spendSeenSql(also),
    values: [
      effect.id, effect.kind, JSON.stringify(effect.payload), JSON.stringify(result),
      ...bucketReadValues(e.principal, e.resource),
      next.balance, next.updatedUs,
      seen.xmin, seen.balance, seen.updated_us, seen.rate, seen.capacity,
      ...also.values,
    ],
  });
  if (!r.rows[0].claimed) return replayEffect<BucketView>(client, effect);
  if (r.rows[0].charged) return result;
  return writeClaimed(client, e, effect.id, await lockAndSettle(client, e.principal, e.resource), -e.amount);
}

/**
 * See spendSeen. Placeholders: $1-$4 the claim (id, kind, payload, result); $5-$8 as in
 * BUCKET_READ_SQL; $9 new balance, $10 new clock (us); $11-$15 what was read (xmin, balance, clock,
 * rate, capacity); then the caller's CTE.
 */
function spendSeenSql(also: AlsoWrite): string {
  return `WITH ${claimCte(1, 4)},
  charged AS (
    UPDATE buckets b SET balance = $9, updated_at = 'epoch'::timestamptz + $10::bigint * interval '1 microsecond'
    WHERE b.principal_id = $5 AND b.resource = $6 AND EXISTS (SELECT 1 FROM claim)
      AND b.xmin = $11::xid AND b.balance = $12 AND (extract(epoch FROM b.updated_at) * 1000000)::bigint = $13::bigint
      AND COALESCE((SELECT amount FROM quotas WHERE principal_id = $5 AND resource = $7), 0) = $14
      AND COALESCE((SELECT amount FROM quotas WHERE principal_id = $5 AND resource = $8), 0) = $15
    RETURNING 1
  ),
  ${also.cte(16)}
  SELECT EXISTS (SELECT 1 FROM claim) AS claimed, EXISTS (SELECT 1 FROM charged) AS charged`;
}

/** Charges work already done: the balance may go into debt. Idempotent by id. */
export async function spend(client: PoolClient, e: BucketEffect): Promise<BucketView> {
  if (!Number.isSafeInteger(e.amount) || e.amount < 0) throw invalid('charge must be a non-negative whole number');
  return changeOnce(client, e, 'spend', -e.amount);
}

/** Adds to a bucket (operator issuance, refunds). Idempotent by id. */
export async function grant(client: PoolClient, e: BucketEffect): Promise<BucketView> {
  if (!Number.isSafeInteger(e.amount) || e.amount <= 0) throw invalid('amount must be a positive whole number');
  return changeOnce(client, e, 'grant', e.amount);
}

/**
 * Unilateral transfer of available balance (the rescue pattern: anyone may pay off another's debt).
 * The sender cannot go below zero by transferring.
 */
export async function transferBucket(
  client: PoolClient,
  t: { id: string; from: string; to: string; resource: BucketResource; amount: number },
): Promise<{ from: BucketView; to: BucketView }> {
  if (t.from === t.to) throw invalid('cannot transfer to oneself');
  if (!Number.isSafeInteger(t.amount) || t.amount <= 0) throw invalid('amount must be a positive whole number');
  const { result } = await once(client, { id: t.id, kind: `transfer:${t.resource}`, payload: t }, async () => {
    const [a, b] = t.from < t.to ? [t.from, t.to] : [t.to, t.from];
    const settled = new Map<string, Awaited<ReturnType<typeof lockAndSettle>>>();
    settled.set(a, await lockAndSettle(client, a, t.resource));
    settled.set(b, await lockAndSettle(client, b, t.resource));
    const src = settled.get(t.from)!;
    const dst = settled.get(t.to)!;
    if (src.state.balance < t.amount) {
      throw new EcologyError('INSUFFICIENT_FUNDS', `${t.from} has ${src.state.balance} ${t.resource} available, cannot transfer ${t.amount}`, {
        available: src.state.balance,
        needed: t.amount,
      });
    }
    const fromState = { ...src.state, balance: src.state.balance - t.amount };
    const toState = { ...dst.state, balance: dst.state.balance + t.amount };
    await write(client, t.from, t.resource, fromState);
    await write(client, t.to, t.resource, toState);
    await emit(client, { type: 'compute_transferred', actor: t.from, subject: t.to, data: { resource: t.resource, amount: t.amount, id: t.id } });
    return { from: view(t.from, t.resource, fromState, src.rights), to: view(t.to, t.resource, toState, dst.rights) };
  });
  return result;
}

/**
 * Takes `amount` of available balance out of a bucket into a hold outside the buckets (an open
 * offer of compute, src/escrow/rightOffers.ts); refused below zero, as transferBucket is.
 */
export async function withdraw(client: PoolClient, principal: string, resource: BucketResource, amount: number): Promise<BucketView> {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw invalid('amount must be a positive whole number');
  const locked = await lockAndSettle(client, principal, resource);
  if (locked.state.balance < amount) {
    throw new EcologyError('INSUFFICIENT_FUNDS', `${principal} has ${locked.state.balance} ${resource} available, cannot offer ${amount}`, {
      available: locked.state.balance,
      needed: amount,
    });
  }
  const next = { ...locked.state, balance: locked.state.balance - amount };
  await write(client, principal, resource, next);
  return view(principal, resource, next, locked.rights);
}
