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
import { SCRIP, SYSTEM_ACCOUNTS } from '../genesis/ids';
import { transfer } from '../ledger/transfer';
import { artifactId, checkJson, parseArgs } from '../validation';
import { hooksOf } from './contract';
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
        held = await hold(client, deps, claim, read, decisions);
      } catch (e) {
        throw isEcologyError(e) ? new Refused(e) : e;
      }
      await decisions.record(client);
      await q.markHeld(client, claim.key, held);
      return { ok: true, key: claim.key, ...held, replayed: false } as const;
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
  claim: q.NewInvocation,
  read: q.ClaimRow,
  decisions: ContractDecisions,
): Promise<{ owner: string; payee: string; payer: string; price: number }> {
  const { config } = deps;
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
  // checkAccess reads the access fields (id, owner_id, access_contract_id, genesis, managed_by) and
  // hands id, type and owner_id to a custom contract: all in what the first statement read.
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
  return { owner: target.owner_id, payee, payer, price: target.price };
}
