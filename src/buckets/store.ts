import type { PoolClient } from 'pg';
import { EcologyError, invalid } from '../errors';
import { once } from '../db/idempotency';
import { emit } from '../events/emit';
import { getQuota, type QuotaResource } from '../rights/quotas';
import { recoveryUs, settle, type BucketRights, type BucketState } from './math';

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

async function rightsOf(client: PoolClient, principal: string, resource: BucketResource): Promise<BucketRights> {
  const names = RIGHTS[resource];
  return { rate: await getQuota(client, principal, names.rate), capacity: await getQuota(client, principal, names.capacity) };
}

/** Locks the bucket row (creating it at zero if missing) and brings it forward to the database's now(). */
async function lockAndSettle(client: PoolClient, principal: string, resource: BucketResource): Promise<{ state: BucketState; rights: BucketRights; nowUs: number }> {
  await client.query('INSERT INTO buckets (principal_id, resource, balance) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING', [principal, resource]);
  const r = await client.query<{ balance: number; updated_us: string; now_us: string }>(
    `SELECT balance, (extract(epoch FROM updated_at) * 1000000)::bigint::text AS updated_us,
            (extract(epoch FROM now()) * 1000000)::bigint::text AS now_us
     FROM buckets WHERE principal_id = $1 AND resource = $2 FOR UPDATE`,
    [principal, resource],
  );
  const row = r.rows[0];
  const rights = await rightsOf(client, principal, resource);
  const nowUs = Number(row.now_us);
  return { state: settle({ balance: row.balance, updatedUs: Number(row.updated_us) }, rights, nowUs), rights, nowUs };
}

async function write(client: PoolClient, principal: string, resource: BucketResource, state: BucketState): Promise<void> {
  await client.query(
    `UPDATE buckets SET balance = $3, updated_at = 'epoch'::timestamptz + $4::bigint * interval '1 microsecond'
     WHERE principal_id = $1 AND resource = $2`,
    [principal, resource, state.balance, state.updatedUs],
  );
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

/** Reads a bucket as of now without writing. */
export async function readBucket(client: PoolClient, principal: string, resource: BucketResource): Promise<BucketView> {
  const r = await client.query<{ balance: number; updated_us: string; now_us: string }>(
    `SELECT balance, (extract(epoch FROM updated_at) * 1000000)::bigint::text AS updated_us,
            (extract(epoch FROM now()) * 1000000)::bigint::text AS now_us
     FROM buckets WHERE principal_id = $1 AND resource = $2`,
    [principal, resource],
  );
  const rights = await rightsOf(client, principal, resource);
  const row = r.rows[0];
  const state = row ? settle({ balance: row.balance, updatedUs: Number(row.updated_us) }, rights, Number(row.now_us)) : { balance: 0, updatedUs: Date.now() * 1000 };
  return view(principal, resource, state, rights);
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

/** Charges work already done: the balance may go into debt. Idempotent by id. */
export async function spend(client: PoolClient, e: BucketEffect): Promise<BucketView> {
  if (!Number.isSafeInteger(e.amount) || e.amount < 0) throw invalid('charge must be a non-negative whole number');
  const { result } = await once(client, { id: e.id, kind: `spend:${e.resource}`, payload: e }, async () => {
    const { state, rights } = await lockAndSettle(client, e.principal, e.resource);
    const next = { ...state, balance: state.balance - e.amount };
    await write(client, e.principal, e.resource, next);
    return view(e.principal, e.resource, next, rights);
  });
  return result;
}

/** Adds to a bucket (operator issuance, refunds). Idempotent by id. */
export async function grant(client: PoolClient, e: BucketEffect): Promise<BucketView> {
  if (!Number.isSafeInteger(e.amount) || e.amount <= 0) throw invalid('amount must be a positive whole number');
  const { result } = await once(client, { id: e.id, kind: `grant:${e.resource}`, payload: e }, async () => {
    const { state, rights } = await lockAndSettle(client, e.principal, e.resource);
    const next = { ...state, balance: state.balance + e.amount };
    await write(client, e.principal, e.resource, next);
    return view(e.principal, e.resource, next, rights);
  });
  return result;
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
