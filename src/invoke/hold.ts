/**
 * Saga step 1: hold the price. One transaction keyed by the invocation key: claim the key, check
 * the invoker may invoke the artifact (custom contracts included), pick the payer (compute follows
 * standing: the artifact itself when it has standing, else the invoker), refuse anyone in compute
 * debt, move the price from the invoker to hold_invoke (`${key}:hold`). A refusal is recorded too,
 * so a repeat answers the same.
 */
import type { PoolClient } from 'pg';
import { checkAccess } from '../artifacts/access';
import { ContractDecisions } from '../artifacts/contractDecisions';
import type { ArtifactRow } from '../artifacts/queries';
import { bucketViewFromRow, readBucket } from '../buckets/store';
import { withTransaction } from '../db/tx';
import { EcologyError, forbidden, invalid, isEcologyError, notFound } from '../errors';
import { bindOperationKey } from '../genesis/context';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { transfer } from '../ledger/transfer';
import { artifactId, checkJson, parseArgs } from '../validation';
import { refuseForeign } from '../world/isolation';
import { hooksOf } from './contract';
import { chargeChain, grantLimits, parseGrant, remaining, type GrantLimits, type GrantSpec } from './grant';
import { checkInvocationKey, invocationIds } from './keys';
import * as q from './queries';
import type { HoldResult, InvokeDeps, SagaRequest } from './types';

/** An exported function name: what `method` may be for agent code. */
export const FUNCTION_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

function refused(key: string, e: EcologyError, replayed = false): HoldResult {
  return { ok: false, key, error: e.toJSON(), replayed };
}

/** Checks of the request itself, before anything is recorded. */
export function validateSagaRequest(deps: InvokeDeps, req: SagaRequest): void {
  checkInvocationKey(req.key);
  parseArgs(artifactId, req.caller, 'caller');
  parseArgs(artifactId, req.artifactId, 'artifact id');
  if (typeof req.method !== 'string' || !FUNCTION_NAME.test(req.method)) throw invalid('method must be the name of an exported function');
  const { limits } = deps.config;
  checkJson(req.args ?? {}, 'args', { maxBytes: limits.maxContentBytes + limits.maxCodeBytes + 4096, maxDepth: limits.maxJsonDepth + 2 });
  parseGrant(req.grant);
}

export async function holdInvocation(deps: InvokeDeps, req: SagaRequest): Promise<HoldResult> {
  try {
    validateSagaRequest(deps, req);
  } catch (e) {
    if (isEcologyError(e)) return refused(String(req.key), e);
    throw e;
  }
  const claim: q.NewInvocation = { key: req.key, invoker: req.caller, artifact: req.artifactId, method: req.method, args: req.args ?? {}, depth: req.depth ?? 0 };
  const tx = <T>(fn: (client: PoolClient) => Promise<T>) => withTransaction(deps.pool, fn, deps.config.transactions.maxRetries);
  // A contract's decision survives the rollback of a refused hold: the rejection records it.
  const decisions = new ContractDecisions();
  try {
    return await tx(async (client) => {
      const read = await q.claimAndRead(client, claim);
      if (!read.claimed) return replay(client, claim);
      let held;
      try {
        held = await hold(client, deps, req, claim, read, decisions);
      } catch (e) {
        throw isEcologyError(e) ? new Refused(e) : e;
      }
      await decisions.record(client);
      await q.markHeld(client, claim.key, held);
      return { ok: true, key: claim.key, owner: held.owner, payee: held.payee, payer: held.payer, price: held.price, replayed: false } as const;
    });
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    // The refusal rolled back whatever the hold had begun (a refused transfer leaves its journal row
    // to the rollback); record it on its own, unless a twin claimed the key meanwhile.
    return tx(async (client) => {
      if (!(await q.claimInvocation(client, claim))) return replay(client, claim);
      await decisions.record(client);
      await q.markRejected(client, claim.key, e.error.toJSON());
      return refused(claim.key, e.error);
    });
  }
}

/** A business refusal, thrown out of the hold's transaction so that it rolls back. */
class Refused extends Error {
  constructor(readonly error: EcologyError) {
    super(error.message);
  }
}

async function replay(client: PoolClient, claim: q.NewInvocation): Promise<HoldResult> {
  const prior = await q.sameRequest(client, claim);
  if (!prior?.same) return refused(claim.key, new EcologyError('IDEMPOTENCY_CONFLICT', `key ${claim.key} was already used for a different invocation`));
  const row = prior.row;
  if (row.status === 'rejected') return { ok: false, key: row.key, error: row.error!, replayed: true };
  return { ok: true, key: row.key, price: row.price, payer: row.payer_id!, payee: row.payee_id!, owner: row.owner_id!, replayed: true };
}

async function hold(
  client: PoolClient,
  deps: InvokeDeps,
  req: SagaRequest,
  claim: q.NewInvocation,
  read: q.ClaimRow,
  decisions: ContractDecisions,
): Promise<q.Held> {
  const { config } = deps;
  const grant = parseGrant(req.grant);
  const { invoker, target } = read;
  if (!invoker) throw notFound(`caller ${claim.invoker} does not exist`);
  if (!invoker.has_standing) throw invalid(`caller ${claim.invoker} is not a principal (it has no standing)`);
  if (invoker.genesis) throw forbidden(`${claim.invoker} is a genesis artifact; it cannot invoke code`);
  if (!target) throw notFound(`artifact ${claim.artifact} does not exist`);
  if (target.genesis) throw invalid(`${claim.artifact} is a genesis service; it is invoked through dispatch`);
  if (!target.can_execute || !target.has_code) throw new EcologyError('NOT_EXECUTABLE', `${claim.artifact} is not executable code`);
  if (claim.depth > config.sandbox.maxDepth) {
    throw new EcologyError('DEPTH_EXCEEDED', `invocation depth ${claim.depth} is above the limit of ${config.sandbox.maxDepth} (ctx.invoke nested too deeply)`, {
      depth: claim.depth,
      max_depth: config.sandbox.maxDepth,
    });
  }
  // What the invoker pinned, checked before anything (a custom contract's CPU included) is charged.
  if (grant.code_hash !== undefined && grant.code_hash !== target.code_hash) {
    throw new EcologyError('CONFLICT', `the code of ${claim.artifact} changed since it was reviewed: its code_hash is now ${target.code_hash}, not ${grant.code_hash}; describe and review it again`, {
      code_hash: target.code_hash,
      expected: grant.code_hash,
    });
  }
  if (grant.max_price !== undefined && target.price > grant.max_price) {
    throw new EcologyError('ALLOWANCE_EXCEEDED', `${claim.artifact} now costs ${target.price}, above your max_price of ${grant.max_price}; nothing was charged`, {
      price: target.price,
      max_price: grant.max_price,
    });
  }
  // checkAccess reads the access fields (id, owner_id, access_contract_id, genesis, managed_by) and
  // hands id, type and owner_id to a custom contract: all in what the first statement read.
  refuseForeign(config, claim.invoker, target, 'invoke');
  await checkAccess(client, claim.invoker, target as unknown as ArtifactRow, 'invoke', bindOperationKey(hooksOf(deps), claim.key, decisions).customContract);

  // Compute follows standing; the price is always the invoker's.
  const payer = target.has_standing ? target.id : claim.invoker;
  const buckets = [bucketViewFromRow(claim.invoker, 'compute', read)];
  if (payer !== claim.invoker) buckets.push(await readBucket(client, payer, 'compute'));
  for (const bucket of buckets) {
    if (bucket.in_debt) {
      throw new EcologyError('IN_DEBT', `${bucket.principal} is in compute debt (${bucket.available}) until ${bucket.recovers_at ?? 'someone transfers compute to it'}`, {
        principal: bucket.principal,
        available: bucket.available,
        recovers_at: bucket.recovers_at,
      });
    }
  }
  // Paid on success: the owner; while the escrow holds a listed artifact, its seller (the escrow
  // holds artifacts, never scrip); the treasury if some other genesis principal owns it.
  const payee = target.owner_genesis ? (target.seller_id ?? SYSTEM_ACCOUNTS.treasury) : target.owner_id;
  if (target.price > 0) {
    await transfer(client, {
      id: invocationIds(claim.key).hold,
      from: claim.invoker,
      to: SYSTEM_ACCOUNTS.invokeHold,
      asset: SCRIP,
      amount: target.price,
      kind: 'invoke_hold',
      reference: claim.artifact,
    });
  }
  // Code with standing acts as itself; other code spends its invoker's assets only within its grant,
  // and within what is left of the grants of the code invoking it (the spend chain).
  const spendChain = req.spendChain ?? [];
  const computeReserved = spendChain.length > 0 && !target.has_standing ? await reserveCompute(client, deps, req, spendChain) : 0;
  await chargeChain(client, spendChain, { scrip: target.price, compute: computeReserved }, `invoking ${claim.artifact}`);
  return {
    owner: target.owner_id,
    payee,
    payer,
    price: target.price,
    codeHash: target.code_hash,
    maxPrice: grant.max_price ?? null,
    expectedCodeHash: grant.code_hash ?? null,
    grantChain: target.has_standing ? null : [claim.key, ...spendChain],
    parentChain: spendChain.length > 0 ? spendChain : null,
    limits: nestedLimits(grant, req),
    computeReserved,
  };
}

/** The grant's limits; code under a grant can allow nested code only methods it was allowed itself. */
function nestedLimits(grant: GrantSpec, req: SagaRequest): GrantLimits {
  const limits = grantLimits(grant);
  if (!req.spendChain?.length) return limits;
  const mine = req.spendAllow ?? [];
  return { ...limits, allow: limits.allow.filter((m) => mine.includes(m)) };
}

/**
 * CPU-ms of the spend chain's compute allowance held for a nested run whose CPU its invoker pays:
 * the most the run can use (its time limit at the configured CPU share), or what is left if less;
 * the run's time limit is cut to match (run.ts) and settle trues it up to the CPU measured.
 */
async function reserveCompute(client: PoolClient, deps: InvokeDeps, req: SagaRequest, chain: string[]): Promise<number> {
  const { limits } = deps.config.sandbox;
  const wallMs = Math.max(0, Math.min(limits.timeoutMs, (req.deadlineMs ?? Infinity) - Date.now()));
  // At least 1: a run whose time is already up is not refused here, it ends TIMEOUT without running.
  const worst = Math.max(1, Math.ceil((wallMs * limits.nanoCpus) / 1e9));
  const left = (await remaining(client, chain)).compute;
  const reserved = Math.min(worst, left);
  if (reserved <= 0) {
    throw new EcologyError('ALLOWANCE_EXCEEDED', `invoking ${req.artifactId} needs compute for its run, and the allowance the invoker granted has no compute left`, { left });
  }
  return reserved;
}
