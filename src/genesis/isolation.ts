/**
 * The genesis side of an isolated world (src/world/isolation.ts): before a method runs, dispatch
 * refuses what would touch another principal's artifacts or trade with another principal. The
 * services not named here (oracle, event log, rights reads, ledger reads, bounties) work as usual.
 */
import { getArtifact } from '../artifacts/queries';
import { GENESIS_CONTRACTS } from '../ids';
import { isIsolated, isolationRefusal, refuseForeign } from '../world/isolation';
import type { CallContext } from './context';

/** Every method of these is a trade (or a view of others' offers): refused whole. */
const TRADING_SERVICES: readonly string[] = ['genesis_escrow', 'genesis_debt'];
/** These methods give value to another principal. */
const GIFTS: readonly string[] = ['genesis_ledger.transfer', 'genesis_ledger.transfer_compute', 'genesis_rights_registry.transfer_quota', 'genesis_store.transfer_ownership'];
/** genesis_store methods whose `id` must be the caller's own (or genesis) when it exists. */
const OWN_ID: readonly string[] = ['read', 'describe', 'delete', 'write', 'create'];

/**
 * Refuses (FORBIDDEN, reason 'isolated') in an isolated world; may narrow `args` (a list without an
 * owner lists the caller's own artifacts). Returns the args the method runs with.
 */
export async function isolateCall(ctx: CallContext, service: string, method: string, args: unknown): Promise<unknown> {
  if (!isIsolated(ctx.config)) return args;
  if (TRADING_SERVICES.includes(service)) throw isolationRefusal(`${service}.${method} is trade`);
  if (GIFTS.includes(`${service}.${method}`)) throw isolationRefusal(`${service}.${method} gives to another principal`);
  const a = (args ?? {}) as { id?: unknown; owner?: unknown; access_contract_id?: unknown; artifact_id?: unknown };
  // Any other service's artifact argument (an oracle bid, a bounty submission) must be the caller's too.
  if (service !== 'genesis_store') {
    const target = typeof a.artifact_id === 'string' ? await getArtifact(ctx.client, a.artifact_id) : null;
    if (target) refuseForeign(ctx.config, ctx.caller, target, `use ${service}.${method} on`);
    return args;
  }
  if (method === 'list') {
    if (a.owner !== undefined && a.owner !== ctx.caller) throw isolationRefusal(`${ctx.caller} may not list the artifacts of ${String(a.owner)}`);
    return { ...(args as object), owner: ctx.caller };
  }
  if (OWN_ID.includes(method) && typeof a.id === 'string') {
    const target = await getArtifact(ctx.client, a.id);
    if (target) refuseForeign(ctx.config, ctx.caller, target, method);
  }
  // An access contract of its own code runs that code: it must be the caller's too.
  if ((method === 'write' || method === 'create') && typeof a.access_contract_id === 'string' && !GENESIS_CONTRACTS.includes(a.access_contract_id)) {
    const contract = await getArtifact(ctx.client, a.access_contract_id);
    if (contract) refuseForeign(ctx.config, ctx.caller, contract, 'use as an access contract');
  }
  return args;
}
