import type { Pool } from 'pg';
import { initPrincipal } from '../artifacts/principals';
import { insertArtifact } from '../artifacts/queries';
import { sizeOf } from '../artifacts/store';
import { readBucket, transferBucket } from '../buckets/store';
import { checkAgentModel } from '../config/prices';
import type { EcologyConfig } from '../config/schema';
import { once } from '../db/idempotency';
import { withTransaction } from '../db/tx';
import { EcologyError, invalid, isEcologyError } from '../errors';
import { emit } from '../events/emit';
import { CONTRACTS, SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { getBalance } from '../ledger/queries';
import { transfer } from '../ledger/transfer';
import { checkJson } from '../validation';
import { resolveAgentSpec } from './agents';
import type { SpawnOutcome } from './types';

export interface SpawnedAgent {
  id: string;
  scrip: number;
  compute: number;
  replayed: boolean;
}

/**
 * Spawns an agent paid by the treasury, in one transaction: the agent artifact (self-owned, the
 * operator's quotas, its configuration as content), its starting scrip as a transfer from
 * `treasury` and its starting compute from the treasury's compute bucket. Idempotent by the key
 * `spawn:<id>` (a repeat returns the first result; other arguments are IDEMPOTENCY_CONFLICT). An
 * id that exists is ALREADY_EXISTS; a treasury without enough scrip or compute is
 * INSUFFICIENT_FUNDS, and then nothing at all is created. The workflow is the caller's part.
 */
export async function spawnAgent(pool: Pool, config: EcologyConfig, spec: unknown): Promise<SpawnedAgent> {
  const a = resolveAgentSpec(spec, config.ecology.spawnDefaults, 'spawnAgent');
  if (!a.content.system_prompt) throw invalid('spawnAgent: system_prompt is required');
  checkAgentModel(config.llm, a.content);
  checkJson(a.content, 'spawnAgent content', { maxBytes: config.limits.maxContentBytes, maxDepth: config.limits.maxJsonDepth });
  const payload = { id: a.id, content: a.content, scrip: a.scrip, compute: a.compute };
  const treasury = SYSTEM_ACCOUNTS.treasury;
  const { result, replayed } = await withTransaction(pool, (client) =>
    onceOrExists(a.id, () => once(client, { id: `spawn:${a.id}`, kind: 'ecology_spawn', payload }, async () => {
      const inserted = await insertArtifact(client, {
        id: a.id,
        type: 'agent',
        content: a.content,
        code: null,
        owner_id: a.id,
        access_contract_id: CONTRACTS.selfOwned,
        has_standing: true,
        can_execute: true,
        price: 0,
        size_bytes: sizeOf(a.content, null),
        created_by: null,
      });
      if (!inserted) throw new EcologyError('ALREADY_EXISTS', `artifact ${a.id} already exists; spawn another id`);
      await initPrincipal(client, a.id, config.quotas.operatorPrincipal);
      await emit(client, { type: 'principal_created', actor: treasury, subject: a.id, data: { type: 'agent', agent: true, spawned: true } });
      try {
        if (a.scrip > 0) await transfer(client, { id: `spawn:${a.id}:scrip`, from: treasury, to: a.id, asset: SCRIP, amount: a.scrip, kind: 'spawn' });
        if (a.compute > 0) await transferBucket(client, { id: `spawn:${a.id}:compute`, from: treasury, to: a.id, resource: 'compute', amount: a.compute });
      } catch (e) {
        if (isEcologyError(e) && e.code === 'INSUFFICIENT_FUNDS') {
          const has = { scrip: (await getBalance(client, treasury, SCRIP)) ?? 0, compute: (await readBucket(client, treasury, 'compute')).available };
          throw new EcologyError(
            'INSUFFICIENT_FUNDS',
            `the treasury cannot fund ${a.id}: it has ${has.scrip} scrip and ${has.compute} compute, the spawn asks for ${a.scrip} scrip and ${a.compute} compute. ` +
              'Spawn with less, or issue more to the treasury ("ecology treasury issue").',
            { treasury: has, asked: { scrip: a.scrip, compute: a.compute } },
          );
        }
        throw e;
      }
      return { id: a.id, scrip: a.scrip, compute: a.compute };
    })),
  );
  return { ...result, replayed };
}

/** A spawn key used with other arguments means the agent was spawned before: say so plainly. */
async function onceOrExists<T>(id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isEcologyError(e) && e.code === 'IDEMPOTENCY_CONFLICT') throw new EcologyError('ALREADY_EXISTS', `agent ${id} was already spawned (with other settings); spawn another id`);
    throw e;
  }
}

/** spawnAgent with every business failure as a result (the root workflow records it). */
export async function trySpawnAgent(pool: Pool, config: EcologyConfig, spec: unknown): Promise<SpawnOutcome> {
  const id = typeof (spec as { id?: unknown })?.id === 'string' ? (spec as { id: string }).id : '?';
  try {
    return { ok: true, ...(await spawnAgent(pool, config, spec)) };
  } catch (e) {
    if (isEcologyError(e)) return { ok: false, id, error: { code: e.code, message: e.message } };
    throw e;
  }
}
