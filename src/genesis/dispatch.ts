import type { Pool, PoolClient } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { ContractDecisions } from '../artifacts/contractDecisions';
import { getArtifact } from '../artifacts/queries';
import { BUCKET_READ_SQL, bucketReadValues, bucketViewFromRow, spendSeen, type AlsoWrite, type SeenBucket } from '../buckets/store';
import { argsDigestSql } from '../db/argsDigest';
import { withTransaction } from '../db/tx';
import { boundedError, EcologyError, forbidden, isEcologyError, invalid, notFound, type ErrorInfo } from '../errors';
import { transfer } from '../ledger/transfer';
import { artifactId, checkJson, parseArgs } from '../validation';
import { isIsolated } from '../world/isolation';
import { bindOperationKey, type AgentCreation, type DispatchHooks, type CallContext, type MethodGuard } from './context';
import { tryFastTransfer } from './fastTransfer';
import { isolateCall } from './isolation';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { GENESIS, isGenesisService } from './registry';

export interface DispatchRequest {
  /** Who acts. Always supplied by the system (workflow, CLI operator), never by LLM-written args. */
  caller: string;
  artifactId: string;
  method: string;
  args?: unknown;
  /** Caller-made idempotency key: a repeat returns the first outcome. */
  key: string;
}

export type Outcome =
  | { ok: true; result: unknown; replayed: boolean; compute_charged: number }
  | { ok: false; error: ErrorInfo; replayed: boolean; compute_charged: number };

export interface DispatchDeps {
  pool: Pool;
  config: EcologyConfig;
  hooks?: DispatchHooks;
  /** Wraps the method: code running under a grant (src/invoke/grant.ts). Off the one-statement transfer path. */
  guard?: MethodGuard;
}

const MAX_KEY_LENGTH = 256;

function computeCost(config: EcologyConfig, artifact: string, methodName: string): number {
  return config.genesis.computeCost[`${artifact}.${methodName}`] ?? config.genesis.defaultComputeCost;
}

function failure(e: EcologyError, compute: number, replayed = false): Outcome {
  return { ok: false, error: e.toJSON(), replayed, compute_charged: compute };
}

/**
 * The one entry point to the genesis services: activities, the CLI and tests all call it.
 * One transaction: record the operation under its key (or replay the first outcome), refuse a
 * caller that may not act (then nothing is recorded), run the method, charge its compute cost (even
 * when the method fails) and any scrip fee, store the outcome. The usual transfer goes through
 * tryFastTransfer first: the same writes in one round trip.
 */
export async function dispatch(deps: DispatchDeps, req: DispatchRequest): Promise<Outcome> {
  return dispatchValidated(deps, req, async () => {
    // An isolated world checks every call before its method (src/genesis/isolation.ts): no fast path.
    if (deps.guard || isIsolated(deps.config)) return afterCommit(deps, req, await generalPath(deps, req));
    const fast = await tryFastTransfer(deps, req, computeCost(deps.config, req.artifactId, req.method));
    return fast ?? afterCommit(deps, req, await generalPath(deps, req));
  });
}

/** dispatch() without its one-statement transfer: the general path alone, which tests hold the fast path to. */
export async function dispatchGeneral(deps: DispatchDeps, req: DispatchRequest): Promise<Outcome> {
  return dispatchValidated(deps, req, async () => afterCommit(deps, req, await generalPath(deps, req)));
}

/**
 * The one place a created agent's workflow starts, whatever the path (an agent's action, the CLI,
 * code through ctx.invoke): after the creation commits, and again on a replay (a retry after a
 * crash between the two). A start that fails undid the creation: the operation fails.
 */
async function afterCommit(deps: DispatchDeps, req: DispatchRequest, outcome: Outcome): Promise<Outcome> {
  if (req.artifactId === 'genesis_bounty') return afterBountyCommit(deps, req, outcome);
  const hook = deps.hooks?.agentCreated;
  if (!hook || !outcome.ok || req.artifactId !== 'genesis_store' || (req.method !== 'create' && req.method !== 'write')) return outcome;
  const r = outcome.result as { id?: string; created?: boolean; agent?: boolean; endowment?: AgentCreation['endowment'] } | null;
  if (!r?.created || !r.agent || typeof r.id !== 'string') return outcome;
  try {
    await hook({ agentId: r.id, creator: req.caller, key: req.key, ...(r.endowment ? { endowment: r.endowment } : {}) });
    return { ...outcome, result: { ...r, workflow: 'started' } };
  } catch (e) {
    if (isEcologyError(e)) return failure(boundedError(e, deps.config.limits.maxErrorMessageChars), outcome.compute_charged, outcome.replayed);
    throw e;
  }
}

/** A bounty's deadline workflow, or a submission's check, starts after its post or submit commits (src/bounties/hooks.ts). */
async function afterBountyCommit(deps: DispatchDeps, req: DispatchRequest, outcome: Outcome): Promise<Outcome> {
  const hook = deps.hooks?.bountyCommitted;
  if (!hook || !outcome.ok || (req.method !== 'post' && req.method !== 'submit')) return outcome;
  try {
    await hook({ method: req.method, caller: req.caller, key: req.key, result: outcome.result });
    return outcome;
  } catch (e) {
    if (isEcologyError(e)) return failure(boundedError(e, deps.config.limits.maxErrorMessageChars), outcome.compute_charged, outcome.replayed);
    throw e;
  }
}

async function dispatchValidated(deps: DispatchDeps, req: DispatchRequest, run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    validateRequest(deps, req);
  } catch (e) {
    if (isEcologyError(e)) return failure(e, 0);
    throw e;
  }
  return run();
}

/** The operation in one transaction on a connection of its own, as the comment on dispatch() says. */
async function generalPath(deps: DispatchDeps, req: DispatchRequest): Promise<Outcome> {
  // Shared by the attempts: a contract decided in one that rolled back is recorded by the next.
  const decisions = new ContractDecisions();
  const attempt = (guarded: boolean) =>
    withTransaction(deps.pool, (client) => dispatchIn(client, deps, req, guarded, decisions), deps.config.transactions.maxRetries);
  try {
    return await attempt(false).catch((e: unknown) => {
      if (e instanceof MethodFailed) return attempt(true);
      throw e;
    });
  } catch (e) {
    if (e instanceof Refused) return failure(e.error, 0);
    // A typed error from outside the method, such as a hand-made key whose compute charge id
    // (`<key>:compute`) another effect already holds: the transaction rolled back, nothing is recorded.
    if (isEcologyError(e)) return failure(e, 0);
    throw e;
  }
}

/**
 * A caller that may not act at all (unknown, without standing, genesis, or in compute debt). The
 * transaction rolls back, so nothing is recorded under the key: the same key works once the caller
 * can act again (an agent frozen in debt retries its iteration's key after recovering).
 */
class Refused extends Error {
  constructor(readonly error: EcologyError) {
    super(error.message);
  }
}

function refuseUnfitCaller(caller: string, start: StartRow): void {
  try {
    checkCaller(caller, start);
  } catch (e) {
    throw isEcologyError(e) ? new Refused(e) : e;
  }
  const bucket = bucketViewFromRow(caller, 'compute', start);
  if (bucket.in_debt) {
    const message = `${caller} is in compute debt (${bucket.available}) until ${bucket.recovers_at ?? 'someone transfers compute to it'}`;
    throw new Refused(new EcologyError('IN_DEBT', message, { available: bucket.available, recovers_at: bucket.recovers_at }));
  }
}

/**
 * Thrown out of the transaction when a method fails with a typed error and ran without a savepoint:
 * the transaction rolls back and dispatch runs again with the method in a savepoint, so that the
 * failure's charge and outcome are recorded without the method's partial work. Methods already run
 * again whenever withTransaction retries a deadlock, so running once more is nothing new; the
 * savepoint (two round trips) is paid only by operations that fail.
 */
class MethodFailed extends Error {}

function validateRequest(deps: DispatchDeps, req: DispatchRequest): void {
  if (typeof req.key !== 'string' || req.key.length === 0 || req.key.length > MAX_KEY_LENGTH) {
    throw invalid(`idempotency key must be 1-${MAX_KEY_LENGTH} characters`);
  }
  if (req.key.includes('\u0000')) throw invalid('idempotency key contains a NUL character');
  // An unpaired surrogate would reach PostgreSQL as U+FFFD, so two different keys could collide.
  if (/\p{Cs}/u.test(req.key)) throw invalid('idempotency key contains an unpaired UTF-16 surrogate');
  parseArgs(artifactId, req.caller, 'caller');
  parseArgs(artifactId, req.artifactId, 'artifact id');
  if (typeof req.method !== 'string' || !/^[a-z_]{1,64}$/.test(req.method)) throw invalid('method must be a lower-case name');
  checkJson(req.args ?? {}, 'args', { maxBytes: deps.config.limits.maxContentBytes + deps.config.limits.maxCodeBytes + 4096, maxDepth: deps.config.limits.maxJsonDepth + 2 });
}

async function dispatchIn(client: PoolClient, deps: DispatchDeps, req: DispatchRequest, guarded: boolean, decisions: ContractDecisions): Promise<Outcome> {
  const args = req.args ?? {};
  const start = (
    await client.query<StartRow>({
      name: 'dispatch_start',
      text: START_SQL,
      values: [...bucketReadValues(req.caller, 'compute'), req.key, req.artifactId, req.method, JSON.stringify(args)],
    })
  ).rows[0];
  if (!start.recorded) return replay(client, deps, req, args, decisions);

  refuseUnfitCaller(req.caller, start);
  const compute = computeCost(deps.config, req.artifactId, req.method);
  let outcome: Outcome;
  try {
    const run = () => runMethod(client, deps, req, args, decisions);
    const result = guarded ? await inMethodSavepoint(client, run) : await run().catch((e: unknown) => {
      throw isEcologyError(e) ? new MethodFailed() : e;
    });
    // The outcome as it is stored, so the first call and every replay return the same JSON
    // (dates as ISO strings, undefined as null), not Date objects the first time only.
    outcome = { ok: true, result: JSON.parse(JSON.stringify(result ?? null)), replayed: false, compute_charged: compute };
  } catch (e) {
    if (!isEcologyError(e)) throw e;
    outcome = failure(boundedError(e, deps.config.limits.maxErrorMessageChars), compute);
  }
  // Store the outcome, in the same round trip as the compute charge when there is one.
  const finish: AlsoWrite = {
    name: 'dispatch_finish',
    cte: (p) => `finished AS (UPDATE operations SET ok = $${p + 1}, result = $${p + 2}::jsonb WHERE key = $${p})`,
    values: [
      req.key,
      outcome.ok,
      JSON.stringify(storedOutcome(outcome, compute, isReadOnly(req))),
    ],
  };
  if (compute > 0) {
    const charge = { id: `${req.key}:compute`, principal: req.caller, resource: 'compute' as const, amount: compute, kind: `${req.artifactId}.${req.method}` };
    await spendSeen(client, charge, start, finish);
  } else {
    await client.query({ name: finish.name, text: `WITH ${finish.cte(1)} SELECT 1`, values: finish.values });
  }
  // Custom contracts the method consulted, allowed or not: recorded and charged with the outcome.
  await decisions.record(client);
  return outcome;
}

/**
 * The first statement of every dispatch, one round trip: record the operation under its key (no row
 * when the key exists; a twin in flight is waited for), and read the caller's artifact and compute
 * bucket. Placeholders $1-$4 as in BUCKET_READ_SQL (the caller's compute bucket), then $5 key,
 * $6 artifact, $7 method, $8 args.
 */
const START_SQL = `WITH op AS (
    INSERT INTO operations (key, caller_id, artifact_id, method, args, ok, result)
    VALUES ($5, $1, $6, $7, ${argsDigestSql('$8')}, false, 'null'::jsonb)
    ON CONFLICT (key) DO NOTHING RETURNING key
  )
  SELECT EXISTS (SELECT 1 FROM op) AS recorded, a.id IS NOT NULL AS caller_exists, a.has_standing, a.genesis, bucket.*
  FROM (${BUCKET_READ_SQL}) AS bucket LEFT JOIN artifacts a ON a.id = $1`;

type StartRow = SeenBucket & {
  recorded: boolean;
  caller_exists: boolean;
  has_standing: boolean | null;
  genesis: boolean | null;
};

/**
 * Runs the method in a savepoint, so that a typed error undoes only its work (see MethodFailed). The
 * savepoint is not released: COMMIT ends it, and the charge and outcome written after it commit
 * with the rest.
 */
async function inMethodSavepoint<T>(client: PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('SAVEPOINT method');
  try {
    return await fn();
  } catch (e) {
    await client.query('ROLLBACK TO SAVEPOINT method');
    throw e;
  }
}

/**
 * The caller must be a principal, and not a genesis one: the mint, the treasury, holding accounts
 * and services move value only through their own code (a dispatch as `mint` would mint scrip, one
 * as `genesis_escrow` could give away listed artifacts).
 */
function checkCaller(caller: string, row: { caller_exists: boolean; has_standing: boolean | null; genesis: boolean | null }): void {
  if (!row.caller_exists) throw notFound(`caller ${caller} does not exist`);
  if (!row.has_standing) throw invalid(`caller ${caller} is not a principal (it has no standing)`);
  if (row.genesis) throw forbidden(`${caller} is a genesis artifact; it cannot act through dispatch`);
}

/**
 * What an operation keeps for replay: its result (small for anything that changes state), or for a
 * read only that it succeeded (`reread`): a repeat reads again (see GenesisMethod.readOnly).
 * Failures keep their error. With arguments kept as a digest (argsDigestSql), a record's size does
 * not depend on what the caller sends or reads.
 */
function storedOutcome(outcome: Outcome, compute: number, readOnly: boolean): StoredOutcome {
  if (!outcome.ok) return { error: outcome.error, compute_charged: compute };
  return readOnly ? { reread: true, compute_charged: compute } : { result: outcome.result ?? null, compute_charged: compute };
}

type StoredOutcome = { result?: unknown; reread?: true; error?: ErrorInfo; compute_charged: number };

function isReadOnly(req: DispatchRequest): boolean {
  if (!isGenesisService(req.artifactId)) return false;
  const service = GENESIS[req.artifactId];
  return Object.prototype.hasOwnProperty.call(service, req.method) && service[req.method].readOnly === true;
}

async function replay(client: PoolClient, deps: DispatchDeps, req: DispatchRequest, args: unknown, decisions: ContractDecisions): Promise<Outcome> {
  // Records made before arguments were kept as a digest hold the arguments themselves.
  const r = await client.query<{ same: boolean; ok: boolean; result: StoredOutcome }>(
    `SELECT caller_id = $2 AND artifact_id = $3 AND method = $4 AND (args = ${argsDigestSql('$5')} OR args = $5::jsonb) AS same, ok, result
     FROM operations WHERE key = $1`,
    [req.key, req.caller, req.artifactId, req.method, JSON.stringify(args)],
  );
  const row = r.rows[0];
  if (!row.same) return failure(new EcologyError('IDEMPOTENCY_CONFLICT', `key ${req.key} was already used for a different operation`), 0);
  const charged = row.result.compute_charged;
  if (!row.ok) return { ok: false, error: row.result.error!, replayed: true, compute_charged: charged };
  if (!row.result.reread) return { ok: true, result: row.result.result, replayed: true, compute_charged: charged };
  // A read: read again (charged the first time only). Its access checks find their recorded decisions.
  try {
    const result = await inMethodSavepoint(client, () => runMethod(client, deps, req, args, decisions));
    await decisions.record(client);
    return { ok: true, result: JSON.parse(JSON.stringify(result ?? null)), replayed: true, compute_charged: charged };
  } catch (e) {
    if (!isEcologyError(e)) throw e;
    await decisions.record(client);
    return failure(e, charged, true);
  }
}

async function runMethod(client: PoolClient, deps: DispatchDeps, req: DispatchRequest, rawArgs: unknown, decisions: ContractDecisions): Promise<unknown> {
  if (!isGenesisService(req.artifactId)) {
    const target = await getArtifact(client, req.artifactId);
    if (!target) throw notFound(`artifact ${req.artifactId} does not exist`);
    if (!target.can_execute || target.code === null) throw new EcologyError('NOT_EXECUTABLE', `${req.artifactId} is not executable code`);
    // Running code needs a container, which cannot happen inside this transaction: invoke()
    // (src/invoke/invoke.ts) routes executable artifacts to the invocation saga instead.
    throw new EcologyError('SANDBOX_UNAVAILABLE', `${req.artifactId} is agent-written code; it runs in the sandbox through invoke() (src/invoke), not through dispatch`);
  }
  const service = GENESIS[req.artifactId];
  const m = Object.prototype.hasOwnProperty.call(service, req.method) ? service[req.method] : undefined;
  if (!m) throw notFound(`${req.artifactId} has no method ${req.method}; it has ${Object.keys(service).join(', ')}`);
  const ctx: CallContext = { client, caller: req.caller, key: req.key, config: deps.config, hooks: bindOperationKey(deps.hooks ?? {}, req.key, decisions) };
  const args = parseArgs(m.args, await isolateCall(ctx, req.artifactId, req.method, rawArgs));
  const fee = deps.config.genesis.scripFee[`${req.artifactId}.${req.method}`] ?? 0;
  const run = async () => {
    if (fee > 0) {
      await transfer(client, { id: `${req.key}:fee`, from: req.caller, to: SYSTEM_ACCOUNTS.treasury, asset: SCRIP, amount: fee, kind: 'fee', reference: `${req.artifactId}.${req.method}` });
    }
    return m.run(ctx, args);
  };
  return deps.guard ? deps.guard.around(ctx, req.artifactId, req.method, args, run) : run();
}
