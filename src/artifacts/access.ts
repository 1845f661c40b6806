import type { PoolClient } from 'pg';
import { EcologyError, forbidden } from '../errors';
import { CONTRACTS } from '../ids';
import type { ContractDecisions } from './contractDecisions';
import { getArtifact, type ArtifactRow } from './queries';

export type AccessAction = 'read' | 'write' | 'invoke' | 'delete' | 'transfer';

/**
 * Asks an executable artifact acting as a custom access contract. Provided by the sandbox
 * (src/invoke/contract.ts); the requester pays for the check. Without it, custom contracts deny
 * with a clear error. `key` is the idempotency key of the operation that asks (dispatch binds it,
 * see bindOperationKey): the check's decision and charge are recorded under it. `client` is the
 * asking operation's connection, the only one the check may use; `decisions` (bound with the key)
 * keeps the decision until the operation records it (without it, it is recorded on `client` at once).
 */
export type CustomContractCheck = (req: {
  client: PoolClient;
  contract: ArtifactRow;
  caller: string;
  target: ArtifactRow;
  action: AccessAction;
  key?: string;
  decisions?: ContractDecisions;
}) => Promise<boolean>;

const EVERYONE_MAY: Record<string, readonly AccessAction[]> = {
  [CONTRACTS.selfOwned]: ['read', 'invoke'],
  [CONTRACTS.ownerOnly]: ['read', 'invoke'],
  [CONTRACTS.private]: [],
  [CONTRACTS.public]: ['read', 'write', 'invoke'],
};

/** Whether `caller` controls `target` outright under a genesis contract. */
function controls(contract: string, caller: string, target: ArtifactRow): boolean {
  if (contract === CONTRACTS.selfOwned) return caller === target.id;
  return caller === target.owner_id;
}

/** May `caller` do `action` to `target`? Throws FORBIDDEN with the reason when not. */
export async function checkAccess(
  client: PoolClient,
  caller: string,
  target: ArtifactRow,
  action: AccessAction,
  custom?: CustomContractCheck,
): Promise<void> {
  if (target.genesis) {
    if (action === 'read' || action === 'invoke') return;
    throw forbidden(`${target.id} is a genesis artifact and cannot be modified`);
  }
  if (target.managed_by && (action === 'write' || action === 'delete')) {
    throw forbidden(`${target.id} is managed by ${target.managed_by}; its content cannot be edited or deleted`);
  }
  const contract = target.access_contract_id;
  if (contract in EVERYONE_MAY) {
    if (controls(contract, caller, target) || EVERYONE_MAY[contract].includes(action)) return;
    throw forbidden(`${caller} may not ${action} ${target.id} (access contract ${contract})`);
  }
  const contractRow = await getArtifact(client, contract);
  if (!contractRow) throw forbidden(`${target.id} names a missing access contract ${contract}`);
  if (!custom) {
    throw new EcologyError('SANDBOX_UNAVAILABLE', `${target.id} is guarded by the custom contract ${contract}, which needs the sandbox to run`);
  }
  if (!(await custom({ client, contract: contractRow, caller, target, action }))) {
    throw forbidden(`${caller} may not ${action} ${target.id} (denied by contract ${contract})`);
  }
}
