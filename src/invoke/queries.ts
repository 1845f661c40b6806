/** SQL of the invocations table (migrations/006_invocations.sql). */
import type { Pool, PoolClient } from 'pg';
import { BUCKET_READ_SQL, bucketReadValues, seenBucketColumnsSql, type AlsoWrite, type SeenBucket } from '../buckets/store';
import { argsDigestSql } from '../db/argsDigest';
import '../db/int8';
import type { RunRecord } from './types';
import type { ErrorInfo } from '../errors';

export type InvocationStatus = 'held' | 'paid' | 'refunded' | 'rejected';

export interface InvocationRow {
  key: string;
  invoker_id: string;
  artifact_id: string;
  method: string;
  args: unknown;
  depth: number;
  owner_id: string | null;
  payee_id: string | null;
  payer_id: string | null;
  price: number;
  held: number;
  status: InvocationStatus;
  run_result: RunRecord | null;
  cpu_ms: number;
  error: ErrorInfo | null;
  /** Grant columns (migrations/014_invocation_grants.sql); see ./grant. */
  code_hash: string | null;
  grant_chain: string[] | null;
  parent_chain: string[] | null;
  allow_methods: string[];
  compute_reserved: number;
  allowance_scrip: number;
  allowance_compute: number;
  allowance_llm_micros: number;
  spent_scrip: number;
  spent_compute: number;
  spent_llm_micros: number;
  /** Whose share of the sandbox the run counts against; null: the code's owner (migration 031). */
  container_account: string | null;
}

export interface NewInvocation {
  key: string;
  invoker: string;
  artifact: string;
  method: string;
  args: unknown;
  depth: number;
}

/**
 * Claims the key: inserts the row (status held, nothing held yet) unless the key exists. A
 * concurrent twin waits on the primary key until the first commits, then finds the row.
 */
export async function claimInvocation(client: PoolClient, n: NewInvocation): Promise<boolean> {
  const r = await client.query({
    name: 'invocation_claim',
    text: `INSERT INTO invocations (key, invoker_id, artifact_id, method, args, depth, status)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'held') ON CONFLICT (key) DO NOTHING`,
    values: [n.key, n.invoker, n.artifact, n.method, JSON.stringify(n.args), n.depth],
  });
  return r.rowCount === 1;
}

/** The row when the key was used for this same request; null when the key is new; throws nothing. */
export async function sameRequest(client: PoolClient, n: NewInvocation): Promise<{ row: InvocationRow; same: boolean } | null> {
  const r = await client.query<InvocationRow & { same: boolean }>({
    name: 'invocation_same',
    text: `SELECT *, invoker_id = $2 AND artifact_id = $3 AND method = $4 AND (args = $5::jsonb OR args = ${argsDigestSql('$5')}) AS same FROM invocations WHERE key = $1`,
    values: [n.key, n.invoker, n.artifact, n.method, JSON.stringify(n.args)],
  });
  const row = r.rows[0];
  return row ? { row, same: row.same } : null;
}

/** What the hold reads of the artifact it invokes (no content), with who owns it and who sells it. */
export interface HoldTarget {
  id: string;
  type: string;
  owner_id: string;
  access_contract_id: string;
  has_standing: boolean;
  can_execute: boolean;
  has_code: boolean;
  price: number;
  genesis: boolean;
  managed_by: string | null;
  owner_genesis: boolean | null;
  seller_id: string | null;
  /** sha256 hex of the code, read with the price. */
  code_hash: string | null;
}

export interface HoldInvoker {
  id: string;
  has_standing: boolean;
  genesis: boolean;
}

export type ClaimRow = SeenBucket & { claimed: boolean; invoker: HoldInvoker | null; target: HoldTarget | null };

/** sha256 hex of a code column, as genesis_store.describe shows it (codeHash in src/artifacts/codeHash). */
export const CODE_HASH_SQL = (column: string) => `encode(sha256(convert_to(${column}, 'UTF8')), 'hex')`;

/**
 * The hold's first statement, one round trip: claim the key (as claimInvocation) and read the
 * invoker, the target (with its owner's genesis flag and an open listing's seller) and the
 * invoker's compute bucket. Placeholders $1-$4 as in BUCKET_READ_SQL (the invoker's bucket).
 */
const CLAIM_AND_READ_SQL = `WITH claim AS (
    INSERT INTO invocations (key, invoker_id, artifact_id, method, args, depth, status)
    VALUES ($5, $1, $6, $7, $8::jsonb, $9, 'held') ON CONFLICT (key) DO NOTHING RETURNING key
  )
  SELECT EXISTS (SELECT 1 FROM claim) AS claimed,
    (SELECT jsonb_build_object('id', a.id, 'has_standing', a.has_standing, 'genesis', a.genesis) FROM artifacts a WHERE a.id = $1) AS invoker,
    (SELECT jsonb_build_object('id', t.id, 'type', t.type, 'owner_id', t.owner_id, 'access_contract_id', t.access_contract_id,
              'has_standing', t.has_standing, 'can_execute', t.can_execute, 'has_code', t.code IS NOT NULL, 'price', t.price, 'code_hash', ${CODE_HASH_SQL('t.code')},
              'genesis', t.genesis, 'managed_by', t.managed_by, 'owner_genesis', o.genesis,
              'seller_id', (SELECT l.seller_id FROM escrow_listings l WHERE l.artifact_id = t.id AND l.status = 'open'))
       FROM artifacts t LEFT JOIN artifacts o ON o.id = t.owner_id WHERE t.id = $6) AS target,
    bucket.*
  FROM (${BUCKET_READ_SQL}) AS bucket`;

export async function claimAndRead(client: PoolClient, n: NewInvocation): Promise<ClaimRow> {
  const r = await client.query<ClaimRow>({
    name: 'invocation_claim_and_read',
    text: CLAIM_AND_READ_SQL,
    values: [...bucketReadValues(n.invoker, 'compute'), n.key, n.artifact, n.method, JSON.stringify(n.args), n.depth],
  });
  return r.rows[0];
}

/** What the hold decided, with the grant the code runs under (./grant). */
export interface Held {
  owner: string;
  payee: string;
  payer: string;
  price: number;
  codeHash: string | null;
  maxPrice: number | null;
  expectedCodeHash: string | null;
  grantChain: string[] | null;
  parentChain: string[] | null;
  limits: { scrip: number; compute: number; llmMicros: number; allow: string[] };
  computeReserved: number;
  /** Whose share of the sandbox the run counts against, when not the code's owner (a bounty's check: its submitter). */
  containerAccount?: string;
}

export async function markHeld(client: PoolClient, key: string, h: Held): Promise<void> {
  await client.query({
    name: 'invocation_held',
    text: `UPDATE invocations SET owner_id = $2, payee_id = $3, payer_id = $4, price = $5, held = $5, code_hash = $6, max_price = $7,
             expected_code_hash = $8, grant_chain = $9, parent_chain = $10, allowance_scrip = $11, allowance_compute = $12,
             allowance_llm_micros = $13, allow_methods = $14, compute_reserved = $15,
             container_account = $16
           WHERE key = $1`,
    values: [
      key,
      h.owner,
      h.payee,
      h.payer,
      h.price,
      h.codeHash,
      h.maxPrice,
      h.expectedCodeHash,
      h.grantChain,
      h.parentChain,
      h.limits.scrip,
      h.limits.compute,
      h.limits.llmMicros,
      h.limits.allow,
      h.computeReserved,
      h.containerAccount ?? null,
    ],
  });
}

/**
 * Once an invocation is settled or rejected its arguments are no longer needed but to tell a repeat
 * of its key from another request: they are replaced by their digest (see src/db/argsDigest.ts).
 */
const ARGS_TO_DIGEST = argsDigestSql('args');

export async function markRejected(client: PoolClient, key: string, error: unknown): Promise<void> {
  await client.query({
    name: 'invocation_rejected',
    text: `UPDATE invocations SET status = 'rejected', held = 0, error = $2::jsonb, settled_at = now(), args = ${ARGS_TO_DIGEST} WHERE key = $1`,
    values: [key, JSON.stringify(error)],
  });
}

export async function getInvocation(db: Pool | PoolClient, key: string, forUpdate = false): Promise<InvocationRow | undefined> {
  return (await db.query<InvocationRow>(`SELECT * FROM invocations WHERE key = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [key])).rows[0];
}

/** The invocation with the code of its artifact as it is now (null fields when the artifact is gone). */
export async function getForRun(
  db: Pool | PoolClient,
  key: string,
): Promise<(InvocationRow & { code: string | null; current_code_hash: string | null; can_execute: boolean | null; current_owner: string | null }) | undefined> {
  const r = await db.query({
    name: 'invocation_for_run',
    text: `SELECT i.*, a.code, ${CODE_HASH_SQL('a.code')} AS current_code_hash, a.can_execute, a.owner_id AS current_owner
           FROM invocations i LEFT JOIN artifacts a ON a.id = i.artifact_id WHERE i.key = $1`,
    values: [key],
  });
  return r.rows[0];
}

/**
 * Stores a run's report unless one is stored or the invocation is settled already; returns whether
 * this report is the one kept.
 */
export async function recordRun(db: Pool | PoolClient, key: string, run: RunRecord): Promise<boolean> {
  const r = await db.query({
    name: 'invocation_record_run',
    text: `UPDATE invocations SET run_result = $2::jsonb, ran_at = now() WHERE key = $1 AND run_result IS NULL AND status = 'held'`,
    values: [key, JSON.stringify(run)],
  });
  return r.rowCount === 1;
}

/**
 * Settle's first statement: lock the invocation and read its payer's compute bucket as
 * BUCKET_READ_SQL does (same columns: what spendSeen needs to charge it in one more round trip).
 */
export async function lockForSettle(client: PoolClient, key: string): Promise<(InvocationRow & SeenBucket) | undefined> {
  const r = await client.query<InvocationRow & SeenBucket>({
    name: 'invocation_lock_for_settle',
    text: `SELECT i.*, ${seenBucketColumnsSql('i.payer_id', 'compute')}
           FROM invocations i LEFT JOIN buckets b ON b.principal_id = i.payer_id AND b.resource = 'compute'
           WHERE i.key = $1 FOR UPDATE OF i`,
    values: [key],
  });
  return r.rows[0];
}

export interface Settlement {
  status: 'paid' | 'refunded';
  cpuMs: number;
  error: unknown;
  run: RunRecord;
}

const settleValues = (key: string, s: Settlement) => [key, s.status, s.cpuMs, s.error === null ? null : JSON.stringify(s.error), JSON.stringify(s.run)];

/** markSettled as a CTE riding along with the CPU charge (spendSeen). */
export function settledCte(key: string, s: Settlement): AlsoWrite {
  return {
    name: 'invocation_settled',
    cte: (p) => `settled AS (UPDATE invocations SET status = $${p + 1}, held = 0, cpu_ms = $${p + 2}, error = $${p + 3}::jsonb, run_result = $${p + 4}::jsonb,
                   settled_at = now(), ran_at = COALESCE(ran_at, now()), args = ${ARGS_TO_DIGEST} WHERE key = $${p})`,
    values: settleValues(key, s),
  };
}

export async function markSettled(client: PoolClient, key: string, s: Settlement): Promise<void> {
  const also = settledCte(key, s);
  await client.query({ name: `${also.name}_alone`, text: `WITH ${also.cte(1)} SELECT 1`, values: also.values });
}
