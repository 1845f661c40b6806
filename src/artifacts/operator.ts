import type { Pool } from 'pg';
import { checkAgentModel } from '../config/prices';
import type { EcologyConfig } from '../config/schema';
import { grant } from '../buckets/store';
import { withTransaction } from '../db/tx';
import { EcologyError } from '../errors';
import { emit } from '../events/emit';
import { CONTRACTS, SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { transfer } from '../ledger/transfer';
import { newArtifactId, checkJson, nonNegativeAmount, parseArgs } from '../validation';
import { initPrincipal } from './principals';
import { insertArtifact } from './queries';
import { sizeOf } from './store';

export interface OperatorPrincipal {
  id: string;
  /** 'agent' (can execute: runs the loop) or 'account' (a treasury, fund or firm). */
  kind: 'agent' | 'account';
  scrip: number;
  compute: number;
  content?: unknown;
}

/**
 * An operator's issuance: a self-owned principal with the configured operator quotas, its starting
 * scrip minted (a transfer from `mint`) and its starting compute granted. Fails if the id exists.
 */
export async function createOperatorPrincipal(pool: Pool, config: EcologyConfig, p: OperatorPrincipal): Promise<{ id: string; scrip: number; compute: number }> {
  parseArgs(newArtifactId, p.id, 'id');
  parseArgs(nonNegativeAmount, p.scrip, 'scrip');
  parseArgs(nonNegativeAmount, p.compute, 'compute');
  const content = p.content ?? {};
  checkJson(content, 'content', { maxBytes: config.limits.maxContentBytes, maxDepth: config.limits.maxJsonDepth });
  if (p.kind === 'agent') checkAgentModel(config.llm, content);
  return withTransaction(pool, async (client) => {
    const inserted = await insertArtifact(client, {
      id: p.id,
      type: p.kind,
      content,
      code: null,
      owner_id: p.id,
      access_contract_id: CONTRACTS.selfOwned,
      has_standing: true,
      can_execute: p.kind === 'agent',
      price: 0,
      size_bytes: sizeOf(content, null),
      created_by: null,
    });
    if (!inserted) throw new EcologyError('ALREADY_EXISTS', `artifact ${p.id} already exists`);
    await initPrincipal(client, p.id, config.quotas.operatorPrincipal);
    await emit(client, { type: 'principal_created', actor: null, subject: p.id, data: { type: p.kind, agent: p.kind === 'agent', operator: true } });
    if (p.scrip > 0) {
      await transfer(client, { id: `issue:${p.id}:scrip`, from: SYSTEM_ACCOUNTS.mint, to: p.id, asset: SCRIP, amount: p.scrip, kind: 'issuance' });
    }
    if (p.compute > 0) {
      await grant(client, { id: `issue:${p.id}:compute`, principal: p.id, resource: 'compute', amount: p.compute, kind: 'issuance' });
    }
    return { id: p.id, scrip: p.scrip, compute: p.compute };
  });
}
