/**
 * The grant an invocation of code without standing runs with (SPEC sections 6 and 7): what the
 * code may do in its invoker's name. The invoker states it with the invocation:
 *
 *   {max_price?, code_hash?, allowance?: {scrip?, compute?, llm_dollars?}, allow?: ["service.method", ...]}
 *
 * - By default the code may read (read-only genesis methods, ctx.read) and nothing else.
 * - `allowance`: what the code may spend in the invoker's name, all of it together: nested
 *   invocations' prices (scrip) and CPU (compute), scrip, compute or LLM dollars that genesis
 *   methods move out of the invoker (transfers, purchases, bids, fees, repayments...), and ctx.llm
 *   calls (llm_dollars). Every spend is counted on this invocation and on every invocation whose
 *   grant it runs under (the chain), in the transaction that spends, under a row lock: parallel
 *   calls cannot both take the last of it. A nested tool gets nothing unless its caller's code
 *   states an allowance (ctx.invoke's fourth argument), and never more than the chain has left.
 * - `allow`: state-changing genesis methods no allowance covers (writing, deleting or creating the
 *   invoker's artifacts, giving or listing them, offering debt, moving other quotas, spending from
 *   another principal the invoker controls). Forbidden unless named here; what they also move
 *   counts against the allowance.
 * - `max_price`: the hold refuses (ALLOWANCE_EXCEEDED, nothing charged) if the artifact's price is
 *   now above it. `code_hash`: the hold refuses (CONFLICT) if the code is no longer the one whose
 *   sha256 genesis_store.describe showed.
 *
 * Not counted: the code's own CPU and the fixed compute cost of each genesis call it makes (both
 * bounded by the time limit and sandbox.maxBridgeCalls). Code with standing acts as itself: no grant.
 */
import type { PoolClient } from 'pg';
import { z } from 'zod';
import { readBucket } from '../buckets/store';
import { EcologyError, forbidden } from '../errors';
import type { MethodGuard } from '../genesis/context';
import { GENESIS } from '../genesis/registry';
import { SCRIP } from '../genesis/ids';
import { parseArgs } from '../validation';
import '../db/int8';

const amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Allowances state LLM dollars; the quotas and llm_calls count micro-dollars. */
const MICROS_PER_DOLLAR = 1_000_000;
const METHOD_NAMES = new Set(Object.entries(GENESIS).flatMap(([s, methods]) => Object.keys(methods).map((m) => `${s}.${m}`)));

export const grantSpec = z.strictObject({
  max_price: amount.optional(),
  code_hash: z.string().regex(/^[0-9a-f]{64}$/, { error: 'code_hash is the 64 hex digits genesis_store.describe shows' }).optional(),
  allowance: z
    .strictObject({
      scrip: amount.optional(),
      compute: amount.optional(),
      llm_dollars: z.number().min(0).max(Number.MAX_SAFE_INTEGER / MICROS_PER_DOLLAR).optional(),
    })
    .optional(),
  allow: z
    .array(z.string().refine((m) => METHOD_NAMES.has(m), { error: 'allow names genesis methods as service.method' }))
    .refine((a) => new Set(a).size === a.length, { error: 'allow names each genesis method at most once' })
    .optional(),
});
export type GrantSpec = z.infer<typeof grantSpec>;

/** A grant's limits as the invocations row keeps them (LLM dollars in micro-dollars). */
export interface GrantLimits {
  scrip: number;
  compute: number;
  llmMicros: number;
  allow: string[];
}

export function parseGrant(raw: unknown): GrantSpec {
  return parseArgs(grantSpec, raw ?? {}, 'grant');
}

export function grantLimits(g: GrantSpec): GrantLimits {
  const a = g.allowance ?? {};
  return { scrip: a.scrip ?? 0, compute: a.compute ?? 0, llmMicros: Math.floor((a.llm_dollars ?? 0) * MICROS_PER_DOLLAR), allow: g.allow ?? [] };
}

export interface Spend {
  scrip?: number;
  compute?: number;
  llmMicros?: number;
}

const CHARGE_SQL = `WITH charged AS (
    UPDATE invocations SET spent_scrip = spent_scrip + $2, spent_compute = spent_compute + $3, spent_llm_micros = spent_llm_micros + $4
    WHERE key = ANY($1::text[]) AND (NOT $5 OR (spent_scrip + $2 <= allowance_scrip AND spent_compute + $3 <= allowance_compute
      AND spent_llm_micros + $4 <= allowance_llm_micros))
    RETURNING key)
  SELECT count(*)::int AS n FROM charged`;

/**
 * Counts a spend on every invocation of the chain, or throws ALLOWANCE_EXCEEDED if one of them has
 * too little left (the caller's transaction rolls back the others). Runs in the transaction that
 * spends; the row locks make parallel spends of one chain take turns.
 */
export async function chargeChain(client: PoolClient, chain: readonly string[], spend: Spend, what: string): Promise<void> {
  const s = { scrip: spend.scrip ?? 0, compute: spend.compute ?? 0, llm: spend.llmMicros ?? 0 };
  if (chain.length === 0 || (s.scrip <= 0 && s.compute <= 0 && s.llm <= 0)) return;
  const r = await client.query<{ n: number }>({ name: 'grant_charge', text: CHARGE_SQL, values: [chain, s.scrip, s.compute, s.llm, true] });
  if (r.rows[0].n === chain.length) return;
  const left = await remaining(client, chain);
  throw new EcologyError(
    'ALLOWANCE_EXCEEDED',
    `${what} needs ${describeSpend(s)} but the allowance the invoker granted has ${describeSpend(left)} left; the invoker can grant more with the invocation's allowance`,
    { needed: s, left },
  );
}

/** A spend already made (a run's CPU beyond its reservation), or one given back (negative): counted without a limit. */
export async function adjustChain(client: PoolClient, chain: readonly string[], spend: Spend): Promise<void> {
  const s = { scrip: spend.scrip ?? 0, compute: spend.compute ?? 0, llm: spend.llmMicros ?? 0 };
  if (chain.length === 0 || (s.scrip === 0 && s.compute === 0 && s.llm === 0)) return;
  await client.query({ name: 'grant_charge', text: CHARGE_SQL, values: [chain, s.scrip, s.compute, s.llm, false] });
}

/** What is left of the chain's allowances (the smallest along the chain), its rows locked. */
export async function remaining(client: PoolClient, chain: readonly string[]): Promise<{ scrip: number; compute: number; llm: number }> {
  const r = await client.query<{ scrip: number; compute: number; llm: number }>({
    name: 'grant_remaining',
    text: `SELECT allowance_scrip - spent_scrip AS scrip, allowance_compute - spent_compute AS compute, allowance_llm_micros - spent_llm_micros AS llm
           FROM invocations WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
    values: [chain],
  });
  const min = (f: 'scrip' | 'compute' | 'llm') => Math.max(0, Math.min(...r.rows.map((x) => x[f])));
  return { scrip: min('scrip'), compute: min('compute'), llm: min('llm') };
}

function describeSpend(s: { scrip: number; compute: number; llm: number }): string {
  return `${s.scrip} scrip, ${s.compute} compute and ${s.llm} LLM micro-dollars`;
}

/** Genesis methods that change nothing: any code may call them. */
const READS = new Set([
  'genesis_ledger.balance',
  'genesis_ledger.all_balances',
  'genesis_ledger.history',
  'genesis_store.read',
  'genesis_store.list',
  'genesis_store.describe',
  'genesis_escrow.check',
  'genesis_escrow.list_active',
  'genesis_escrow.check_right',
  'genesis_rights_registry.check_quota',
  'genesis_rights_registry.all_quotas',
  'genesis_oracle.status',
  'genesis_oracle.check',
  'genesis_oracle.history',
  'genesis_event_log.read',
  'genesis_debt.check',
  'genesis_bounty.check',
  'genesis_bounty.list',
]);

/**
 * Methods whose only effect on the caller is that scrip, compute or LLM dollars leave it (what
 * leaves is measured and counted against the allowance). Any other state-changing method, one
 * added later included, needs the grant's `allow`.
 */
const SPENDS = new Set([
  'genesis_ledger.transfer',
  'genesis_ledger.transfer_compute',
  'genesis_rights_registry.transfer_quota',
  'genesis_escrow.purchase',
  'genesis_escrow.buy_right',
  'genesis_oracle.bid',
  'genesis_oracle.cancel_bid',
  'genesis_debt.accept',
  'genesis_debt.repay',
  // The reward leaves the poster (measured). submit and cancel need `allow`: a submission's check
  // costs compute later, where no allowance measures it.
  'genesis_bounty.post',
]);

interface Holdings {
  scrip: number;
  compute: number;
  quotas: Record<string, number>;
}

/** Locks the caller's accounts, quotas and buckets for the rest of the transaction, and reads them. */
async function holdings(client: PoolClient, principal: string): Promise<Holdings> {
  const r = await client.query<{ scrip: number | null; quotas: Record<string, number> }>({
    name: 'grant_holdings',
    text: `WITH a AS (SELECT asset, balance FROM accounts WHERE principal_id = $1 FOR UPDATE),
                q AS (SELECT resource, amount FROM quotas WHERE principal_id = $1 FOR UPDATE),
                b AS (SELECT resource FROM buckets WHERE principal_id = $1 FOR UPDATE)
           SELECT (SELECT balance FROM a WHERE asset = $2) AS scrip,
                  (SELECT COALESCE(jsonb_object_agg(resource, amount), '{}'::jsonb) FROM q) AS quotas,
                  (SELECT count(*) FROM b) AS buckets`,
    values: [principal, SCRIP],
  });
  const compute = (await readBucket(client, principal, 'compute')).available;
  return { scrip: Number(r.rows[0].scrip ?? 0), compute, quotas: r.rows[0].quotas };
}

/**
 * The dispatch guard of code running under a grant (see the comment at the top): read-only methods
 * pass; others must be spending methods or allowed by name, may not name another principal as
 * `from`, and what leaves the caller during the method is counted against the chain's allowances
 * in the method's own transaction (its locks held from before the method to the count).
 */
export function grantGuard(chain: readonly string[], allow: readonly string[]): MethodGuard {
  return {
    async around(ctx, service, method, args, run) {
      const name = `${service}.${method}`;
      if (READS.has(name)) return run();
      const allowed = allow.includes(name);
      if (!SPENDS.has(name) && !allowed) {
        throw forbidden(`code you did not grant it to cannot call ${name} in your name (only reads, and spending within the invoker's allowance); the invoker may allow it by name in the grant's allow`);
      }
      const from = (args as { from?: unknown } | null)?.from;
      if (from !== undefined && from !== ctx.caller && !allowed) throw forbidden(`a tool may not spend from ${String(from)} in your name unless the grant allows ${name}`);
      const before = await holdings(ctx.client, ctx.caller);
      const result = await run();
      const after = await holdings(ctx.client, ctx.caller);
      const out = (a: number, b: number) => Math.max(0, a - b);
      const llmMicros = out(before.quotas.llm_dollars ?? 0, after.quotas.llm_dollars ?? 0);
      const otherQuota = Object.keys(before.quotas).find((q) => q !== 'llm_dollars' && (after.quotas[q] ?? 0) < before.quotas[q]);
      if (otherQuota && !allowed) throw forbidden(`${name} would give away your ${otherQuota}; no allowance covers it unless the grant allows ${name}`);
      await chargeChain(ctx.client, chain, { scrip: out(before.scrip, after.scrip), compute: out(before.compute, after.compute), llmMicros }, name);
      return result;
    },
  };
}
