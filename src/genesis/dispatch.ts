import type { Pool, PoolClient } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { requirePrincipal } from '../artifacts/principals';
import { getArtifact } from '../artifacts/queries';
import { readBucket, spend } from '../buckets/store';
import { inSavepoint, withTransaction } from '../db/tx';
import { EcologyError, isEcologyError, invalid, notFound } from '../errors';
import { transfer } from '../ledger/transfer';
import { artifactId, checkJson, parseArgs } from '../validation';
import type { DispatchHooks, CallContext } from './context';
import { SCRIP, SYSTEM_ACCOUNTS } from './ids';
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
  | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> }; replayed: boolean; compute_charged: number };

export interface DispatchDeps {
  pool: Pool;
  config: EcologyConfig;
  hooks?: DispatchHooks;
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
 * caller in compute debt, run the method in a savepoint, charge its compute cost (even when the
 * method fails) and any scrip fee, store the outcome.
 */
export async function dispatch(deps: DispatchDeps, req: DispatchRequest): Promise<Outcome> {
  try {
    validateRequest(deps, req);
  } catch (e) {
    if (isEcologyError(e)) return failure(e, 0);
    throw e;
  }
  return withTransaction(deps.pool, (client) => dispatchIn(client, deps, req), deps.config.transactions.maxRetries);
}

function validateRequest(deps: DispatchDeps, req: DispatchRequest): void {
  if (typeof req.key !== 'string' || req.key.length === 0 || req.key.length > MAX_KEY_LENGTH) {
    throw invalid(`idempotency key must be 1-${MAX_KEY_LENGTH} characters`);
  }
  if (req.key.includes('\u0000')) throw invalid('idempotency key contains a NUL character');
  parseArgs(artifactId, req.caller, 'caller');
  parseArgs(artifactId, req.artifactId, 'artifact id');
  if (typeof req.method !== 'string' || !/^[a-z_]{1,64}$/.test(req.method)) throw invalid('method must be a lower-case name');
  checkJson(req.args ?? {}, 'args', { maxBytes: deps.config.limits.maxContentBytes + deps.config.limits.maxCodeBytes + 4096, maxDepth: deps.config.limits.maxJsonDepth + 2 });
}

async function dispatchIn(client: PoolClient, deps: DispatchDeps, req: DispatchRequest): Promise<Outcome> {
  const args = req.args ?? {};
  const inserted = await client.query(
    `INSERT INTO operations (key, caller_id, artifact_id, method, args, ok, result) VALUES ($1, $2, $3, $4, $5, false, 'null'::jsonb)
     ON CONFLICT (key) DO NOTHING RETURNING key`,
    [req.key, req.caller, req.artifactId, req.method, JSON.stringify(args)],
  );
  if (inserted.rowCount === 0) return replay(client, req, args);

  let compute = 0;
  let outcome: Outcome;
  try {
    await requirePrincipal(client, req.caller).catch((e: unknown) => {
      throw isEcologyError(e) && e.code === 'NOT_FOUND' ? notFound(`caller ${req.caller} does not exist`) : e;
    });
    const bucket = await readBucket(client, req.caller, 'compute');
    if (bucket.in_debt) {
      throw new EcologyError('IN_DEBT', `${req.caller} is in compute debt (${bucket.available}) until ${bucket.recovers_at ?? 'someone transfers compute to it'}`, {
        available: bucket.available,
        recovers_at: bucket.recovers_at,
      });
    }
    compute = computeCost(deps.config, req.artifactId, req.method);
    const result = await inSavepoint(client, () => runMethod(client, deps, req, args));
    outcome = { ok: true, result, replayed: false, compute_charged: compute };
  } catch (e) {
    if (!isEcologyError(e)) throw e;
    outcome = failure(e, compute);
  }
  if (compute > 0) await spend(client, { id: `${req.key}:compute`, principal: req.caller, resource: 'compute', amount: compute, kind: `${req.artifactId}.${req.method}` });
  await client.query('UPDATE operations SET ok = $2, result = $3 WHERE key = $1', [
    req.key,
    outcome.ok,
    JSON.stringify(outcome.ok ? { result: outcome.result ?? null, compute_charged: compute } : { error: outcome.error, compute_charged: compute }),
  ]);
  return outcome;
}

async function replay(client: PoolClient, req: DispatchRequest, args: unknown): Promise<Outcome> {
  const r = await client.query<{ same: boolean; ok: boolean; result: { result?: unknown; error?: Outcome extends { error: infer E } ? E : never; compute_charged: number } }>(
    `SELECT caller_id = $2 AND artifact_id = $3 AND method = $4 AND args = $5::jsonb AS same, ok, result FROM operations WHERE key = $1`,
    [req.key, req.caller, req.artifactId, req.method, JSON.stringify(args)],
  );
  const row = r.rows[0];
  if (!row.same) return failure(new EcologyError('IDEMPOTENCY_CONFLICT', `key ${req.key} was already used for a different operation`), 0);
  return row.ok
    ? { ok: true, result: row.result.result, replayed: true, compute_charged: row.result.compute_charged }
    : { ok: false, error: row.result.error!, replayed: true, compute_charged: row.result.compute_charged };
}

async function runMethod(client: PoolClient, deps: DispatchDeps, req: DispatchRequest, rawArgs: unknown): Promise<unknown> {
  if (!isGenesisService(req.artifactId)) {
    const target = await getArtifact(client, req.artifactId);
    if (!target) throw notFound(`artifact ${req.artifactId} does not exist`);
    if (!target.can_execute) throw new EcologyError('NOT_EXECUTABLE', `${req.artifactId} is not executable`);
    throw new EcologyError('SANDBOX_UNAVAILABLE', `${req.artifactId} is agent-written code; invoking it needs the sandbox`);
  }
  const service = GENESIS[req.artifactId];
  const m = Object.prototype.hasOwnProperty.call(service, req.method) ? service[req.method] : undefined;
  if (!m) throw notFound(`${req.artifactId} has no method ${req.method}; it has ${Object.keys(service).join(', ')}`);
  const args = parseArgs(m.args, rawArgs);
  const ctx: CallContext = { client, caller: req.caller, key: req.key, config: deps.config, hooks: deps.hooks ?? {} };
  const fee = deps.config.genesis.scripFee[`${req.artifactId}.${req.method}`] ?? 0;
  if (fee > 0) {
    await transfer(client, { id: `${req.key}:fee`, from: req.caller, to: SYSTEM_ACCOUNTS.treasury, asset: SCRIP, amount: fee, kind: 'fee', reference: `${req.artifactId}.${req.method}` });
  }
  return m.run(ctx, args);
}
