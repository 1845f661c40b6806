/** Whose containers run an artifact's code: never shared between owners. */
import type { ArtifactRow } from '../artifacts/queries';

/**
 * The artifact's owner. An artifact owned by a genesis principal (listed with the escrow) gets a
 * container key of its own, so that listed code of different sellers never shares a container.
 */
export function containerOwner(a: Pick<ArtifactRow, 'id' | 'owner_id'>, ownerIsGenesis = a.owner_id.startsWith('genesis_')): string {
  return ownerIsGenesis ? `artifact:${a.id}` : a.owner_id;
}
