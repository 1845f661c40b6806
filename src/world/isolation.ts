/**
 * An isolated world (config world.isolation 'isolated', an experiment's control arm): each
 * principal reads, invokes, describes and lists only its own artifacts and the genesis services,
 * and trades with no one. The refusals are FORBIDDEN with details {reason: 'isolated'}.
 */
import type { EcologyConfig } from '../config/schema';
import { forbidden, type EcologyError } from '../errors';

export function isIsolated(config: Pick<EcologyConfig, 'world'>): boolean {
  return config.world.isolation === 'isolated';
}

/** What an isolated principal may use: a genesis artifact, itself, or an artifact it owns. */
export function ownOrGenesis(caller: string, target: { id: string; owner_id: string | null; genesis: boolean }): boolean {
  return target.genesis || target.id === caller || target.owner_id === caller;
}

export function isolationRefusal(message: string): EcologyError {
  return forbidden(`${message}: this world is isolated (world.isolation), each agent works alone with its own artifacts and the genesis services`, { reason: 'isolated' });
}

/** Refuses, in an isolated world, `caller` doing `action` to an artifact that is neither its own nor genesis. */
export function refuseForeign(config: Pick<EcologyConfig, 'world'>, caller: string, target: { id: string; owner_id: string | null; genesis: boolean }, action: string): void {
  if (isIsolated(config) && !ownOrGenesis(caller, target)) throw isolationRefusal(`${caller} may not ${action} ${target.id} of ${target.owner_id ?? 'no one'}`);
}
