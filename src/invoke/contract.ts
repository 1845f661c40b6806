/**
 * Custom access contracts (SPEC section 3): an executable artifact named as another artifact's
 * access_contract_id decides, in the sandbox, whether a request is allowed. It is called as
 * `check(args)` when its code exports `check`, else `run(args)`, with
 * args = {caller, action, target: {id, type, owner_id}}, and must return exactly `true` to allow.
 *
 * The requester pays the check's CPU, failed and denying checks included. The check uses only the
 * connection of the operation that asks (no second pooled connection while that one is held: enough
 * concurrent checks would otherwise take every connection and wait forever). The operation may roll
 * back (a denial fails it), so the decision waits in the operation's ContractDecisions
 * (src/artifacts/contractDecisions.ts) until the operation records it, with the charge, in the
 * transaction it commits -- dispatch's guarded run for a failure, the hold's rejection. The record is
 * keyed by operation key + contract + action + target: a retried operation finds the decision and
 * neither runs the contract nor charges again.
 *
 * Trade-off: the check runs while the asking operation holds its transaction open (dispatch's, or
 * the hold of an invocation), with whatever row locks it took so far, for as long as the container
 * takes; the wall-clock limit sandbox.contractTimeoutMs bounds that. Contracts get no host bridge: a
 * ctx.read/invoke from inside another operation's transaction could wait on that transaction's own
 * locks.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { CustomContractCheck } from '../artifacts/access';
import { recordDecision, type ContractDecision } from '../artifacts/contractDecisions';
import type { ArtifactRow } from '../artifacts/queries';
import type { EcologyConfig } from '../config/schema';
import { EcologyError, type ErrorInfo } from '../errors';
import type { DispatchHooks } from '../genesis/context';
import type { SandboxPool } from '../sandbox';
import { containerOwner } from './owner';
import { childKey } from './keys';

export interface ContractDeps {
  pool: Pool;
  config: EcologyConfig;
  sandbox?: SandboxPool | null;
}

/** Dispatch hooks for `deps`: the given ones, with the custom-contract check made from the sandbox when missing. */
export function hooksOf(deps: ContractDeps & { hooks?: DispatchHooks }): DispatchHooks {
  if (deps.hooks?.customContract || !deps.sandbox) return deps.hooks ?? {};
  return { ...deps.hooks, customContract: createContractCheck(deps) };
}

/** The id under which one check is recorded (its CPU charge is `${id}:cpu`). */
export function contractCheckId(operationKey: string, contractId: string, action: string, targetId: string): string {
  return childKey(operationKey, `contract:${contractId}:${action}:${targetId}`);
}

const EXPORTS_CHECK = /\bcheck\b/;

export function createContractCheck(deps: ContractDeps): CustomContractCheck {
  return async ({ client, contract, caller, target, action, key, decisions }) => {
    // Without an operation key (a caller outside dispatch and the saga) each check stands alone.
    const id = contractCheckId(key ?? `adhoc:${randomUUID()}`, contract.id, action, target.id);
    const known = decisions?.get(id);
    if (known) return known.allowed;
    const prior = await client.query<{ allowed: boolean }>('SELECT allowed FROM contract_checks WHERE id = $1', [id]);
    if (prior.rows[0]) return prior.rows[0].allowed;
    const made = { id, contractId: contract.id, requester: caller, action, targetId: target.id };
    let decision: ContractDecision;
    if (!contract.can_execute || contract.code === null) {
      decision = { ...made, allowed: false, cpuMs: 0, error: { code: 'NOT_EXECUTABLE', message: `${contract.id} is not executable code` } };
    } else {
      decision = { ...made, ...(await decide(deps, contract, caller, target, action)) };
    }
    if (!decisions) return recordDecision(client, decision);
    decisions.add(decision);
    return decision.allowed;
  };
}

/** Runs the contract in the sandbox: whether it allows, what its check cost, and why not. */
async function decide(
  deps: ContractDeps,
  contract: ArtifactRow,
  caller: string,
  target: ArtifactRow,
  action: string,
): Promise<Pick<ContractDecision, 'allowed' | 'cpuMs' | 'error'>> {
  const sandbox = deps.sandbox;
  if (!sandbox) throw new EcologyError('SANDBOX_UNAVAILABLE', `${target.id} is guarded by the custom contract ${contract.id}, and this process has no sandbox to run it`);
  const args = { caller, action, target: { id: target.id, type: target.type, owner_id: target.owner_id } };
  const run = (fn: string) =>
    sandbox.run({ owner: containerOwner(contract), code: contract.code!, fn, args, timeoutMs: deps.config.sandbox.contractTimeoutMs });
  // `check` when exported, else `run`: guess from the source, and fall back once if the guess was wrong.
  const first = EXPORTS_CHECK.test(contract.code!) ? 'check' : 'run';
  let r = await run(first);
  let cpuMs = r.cpuMs;
  if (!r.ok && r.error.code === 'NO_SUCH_FUNCTION' && first === 'check') {
    r = await run('run');
    cpuMs += r.cpuMs;
  }
  if (!r.ok && r.error.code === 'SANDBOX_UNAVAILABLE') {
    // Nothing ran: not a decision, so not recorded; the operation fails and may be retried.
    throw new EcologyError('SANDBOX_UNAVAILABLE', `the custom contract ${contract.id} guarding ${target.id} could not run: ${r.error.message}`);
  }
  const allowed = r.ok && r.value === true;
  const error: ErrorInfo | null = r.ok ? (allowed ? null : { code: 'DENIED', message: `returned ${JSON.stringify(r.value)?.slice(0, 200)}, not true` }) : r.error;
  return { allowed, cpuMs, error: error === null ? null : sanitizeError(error) };
}

/** Error text from the sandbox as PostgreSQL can store it (no NUL, no lone surrogates); the code is one of ours already. */
export function sanitizeError(e: ErrorInfo): ErrorInfo {
  return { code: e.code, message: cleanText(e.message).slice(0, 4000) };
}

export function cleanText(s: string): string {
  return String(s).replace(/\u0000/g, '\uFFFD').replace(/\p{Cs}/gu, '\uFFFD');
}
