import type { PoolClient } from 'pg';
import { z } from 'zod';
import { checkAgentModel } from '../config/prices';
import type { EcologyConfig } from '../config/schema';
import { EcologyError, forbidden, invalid, notFound } from '../errors';
import { emit } from '../events/emit';
import { CONTRACTS, GENESIS_CONTRACTS, SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { transfer } from '../ledger/transfer';
import { getQuota } from '../rights/quotas';
import { artifactId, checkJson, nonNegativeAmount, parseArgs, reservedIdReason } from '../validation';
import { checkAccess, type CustomContractCheck } from './access';
import { moveEndowment, endowmentArgs, type Endowment } from './endowment';
import { initPrincipal } from './principals';
import * as q from './queries';

/**
 * Fields an actor may set with write_artifact / genesis_store.create (SPEC sections 3 and 6). A
 * write changes only the fields it names; `null` clears content (to {}), code and price (to 0).
 * `type` is needed to create, not to update.
 */
export const writeArtifactArgs = z.strictObject({
  id: artifactId,
  type: z.string().min(1).max(64).optional(),
  content: z.unknown().optional(),
  code: z.string().nullable().optional(),
  price: nonNegativeAmount.nullable().optional(),
  can_execute: z.boolean().optional(),
  has_standing: z.boolean().optional(),
  access_contract_id: artifactId.optional(),
  /** Only when creating a principal: what the creator gives it, in the same transaction (./endowment). */
  endowment: endowmentArgs.optional(),
});
export type WriteArtifactArgs = z.infer<typeof writeArtifactArgs>;

export interface StoreDeps {
  client: PoolClient;
  caller: string;
  config: EcologyConfig;
  customContract?: CustomContractCheck;
  /** The operation's idempotency key: effects of the write derive their ids from it. */
  key: string;
}

export function sizeOf(content: unknown, code: string | null): number {
  return Buffer.byteLength(JSON.stringify(content ?? {}), 'utf8') + Buffer.byteLength(code ?? '', 'utf8');
}

/** Refuses growth beyond the owner's disk quota. The quota row lock serialises the owner's writes. */
export async function ensureDiskFits(client: PoolClient, owner: string, growth: number, ownerIsGenesis: boolean): Promise<void> {
  if (growth <= 0 || ownerIsGenesis) return;
  const quota = await getQuota(client, owner, 'disk_bytes', true);
  const used = await q.diskUsed(client, owner);
  if (used + growth > quota) {
    throw new EcologyError('QUOTA_EXCEEDED', `${owner} would use ${used + growth} bytes of disk, above its quota of ${quota}`, {
      used,
      growth,
      quota,
    });
  }
}

async function checkContractId(client: PoolClient, id: string): Promise<void> {
  if (GENESIS_CONTRACTS.includes(id)) return;
  const c = await q.getArtifact(client, id);
  if (!c) throw notFound(`access contract ${id} does not exist`);
  if (!c.can_execute || !c.code) throw invalid(`access contract ${id} must be a genesis contract or an executable artifact`);
}

/** The artifact's fields after a write: what the write names, else what it had (`null` clears). */
interface Body {
  type: string;
  content: unknown;
  code: string | null;
  price: number;
  can_execute: boolean;
}

function bodyAfterWrite(a: WriteArtifactArgs, before: Body): Body {
  return {
    type: a.type ?? before.type,
    content: a.content === undefined ? before.content : (a.content ?? {}),
    code: a.code === undefined ? before.code : a.code,
    price: a.price === undefined ? before.price : (a.price ?? 0),
    can_execute: a.can_execute ?? before.can_execute,
  };
}

function validateBody(config: EcologyConfig, b: Body, hasStanding: boolean): void {
  checkJson(b.content, 'content', { maxBytes: config.limits.maxContentBytes, maxDepth: config.limits.maxJsonDepth });
  if (b.code !== null) {
    const bytes = Buffer.byteLength(b.code, 'utf8');
    if (bytes > config.limits.maxCodeBytes) throw invalid(`code is ${bytes} bytes, above the limit of ${config.limits.maxCodeBytes}`);
    if (b.code.includes('\u0000')) throw invalid('code contains a NUL character');
  }
  if (b.can_execute && !hasStanding && !b.code) throw invalid('an executable artifact needs code (set can_execute false to clear it)');
}

/** The fields whose value differs (content compared as JSON with sorted keys, as jsonb does). */
function changedFields(before: Body & { access_contract_id: string }, after: Body & { access_contract_id: string }): string[] {
  const same = (x: unknown, y: unknown) => canonicalJson(x) === canonicalJson(y);
  return (['type', 'content', 'code', 'price', 'can_execute', 'access_contract_id'] as const).filter((k) => !same(before[k], after[k]));
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A principal costs its creator genesis.principalFee scrip, to the treasury (SPEC section 9: no free sybils). */
async function chargePrincipalFee(d: StoreDeps, id: string): Promise<void> {
  const fee = d.config.genesis.principalFee;
  if (fee <= 0) return;
  await transfer(d.client, { id: `${d.key}:principal-fee`, from: d.caller, to: SYSTEM_ACCOUNTS.treasury, asset: SCRIP, amount: fee, kind: 'fee', reference: id });
}

export interface WriteResult {
  id: string;
  created: boolean;
  size_bytes: number;
  owner_id: string;
  /** The fields this write changed (on a creation: the fields it set). */
  changed: string[];
  /** A new agent (standing and executable): its workflow must start (DispatchHooks.agentCreated). */
  agent?: boolean;
  endowment?: Endowment;
}

/** Creates an artifact owned by the caller, or updates one the caller may write. */
export async function writeArtifact(d: StoreDeps, raw: unknown, opts: { createOnly?: boolean } = {}): Promise<WriteResult> {
  const a = parseArgs(writeArtifactArgs, raw);
  if (a.access_contract_id) await checkContractId(d.client, a.access_contract_id);
  const existing = await q.getArtifact(d.client, a.id, true);

  if (existing) {
    if (a.endowment) throw invalid('an endowment is given only when creating a principal; fund an existing one with transfer, transfer_compute or transfer_quota');
    if (opts.createOnly) throw new EcologyError('ALREADY_EXISTS', `artifact ${a.id} already exists`);
    await checkAccess(d.client, d.caller, existing, 'write', d.customContract);
    if (a.has_standing !== undefined && a.has_standing !== existing.has_standing) {
      throw invalid('has_standing cannot change after an artifact is created');
    }
    const body = bodyAfterWrite(a, { ...existing, price: Number(existing.price) });
    validateBody(d.config, body, existing.has_standing);
    const access_contract_id = a.access_contract_id ?? existing.access_contract_id;
    const changed = changedFields({ ...existing, price: Number(existing.price) }, { ...body, access_contract_id });
    if (changed.length === 0) return { id: a.id, created: false, size_bytes: existing.size_bytes, owner_id: existing.owner_id, changed };
    if (existing.has_standing && body.can_execute && (changed.includes('content') || changed.includes('can_execute'))) checkAgentModel(d.config.llm, body.content);
    if (changed.includes('access_contract_id')) {
      // Changing who controls an artifact is a transfer of control.
      await checkAccess(d.client, d.caller, existing, 'transfer', d.customContract);
    }
    const size = sizeOf(body.content, body.code);
    const owner = await q.getArtifact(d.client, existing.owner_id);
    await ensureDiskFits(d.client, existing.owner_id, size - existing.size_bytes, owner?.genesis ?? false);
    await q.updateArtifact(d.client, a.id, { ...body, access_contract_id, size_bytes: size });
    await emit(d.client, { type: 'artifact_updated', actor: d.caller, subject: a.id, data: { size_bytes: size, changed } });
    return { id: a.id, created: false, size_bytes: size, owner_id: existing.owner_id, changed };
  }

  if (a.id.startsWith('genesis_')) throw forbidden('ids starting with genesis_ are reserved');
  const reserved = reservedIdReason(a.id);
  if (reserved) throw invalid(reserved);
  if (a.type === undefined) throw invalid('type is required to create an artifact');
  const hasStanding = a.has_standing ?? false;
  const { type, content, code, price, can_execute: canExecute } = bodyAfterWrite(a, { type: a.type, content: {}, code: null, price: 0, can_execute: false });
  validateBody(d.config, { type, content, code, price, can_execute: canExecute }, hasStanding);
  const size = sizeOf(content, code);
  if (a.endowment && !hasStanding) throw invalid('only a principal (has_standing) can be given an endowment');
  if (hasStanding && canExecute) checkAgentModel(d.config.llm, content);
  await ensureDiskFits(d.client, d.caller, size, false);
  // An agent controls itself; anything else, accounts included, is its creator's (a self-owned
  // account cannot act, so nobody could ever move what it holds).
  const contract = a.access_contract_id ?? (hasStanding && canExecute ? CONTRACTS.selfOwned : CONTRACTS.ownerOnly);
  const inserted = await q.insertArtifact(d.client, {
    id: a.id,
    type,
    content,
    code,
    owner_id: d.caller,
    access_contract_id: contract,
    has_standing: hasStanding,
    can_execute: canExecute,
    price,
    size_bytes: size,
    created_by: d.caller,
  });
  if (!inserted) throw new EcologyError('ALREADY_EXISTS', `artifact ${a.id} already exists`);
  if (hasStanding) {
    await chargePrincipalFee(d, a.id);
    await initPrincipal(d.client, a.id, d.config.quotas.createdPrincipal);
    if (a.endowment) await moveEndowment(d.client, d.key, 'endow', d.caller, a.id, a.endowment);
    await emit(d.client, { type: 'principal_created', actor: d.caller, subject: a.id, data: { type, agent: canExecute, ...(a.endowment ? { endowment: a.endowment } : {}) } });
  }
  await emit(d.client, { type: 'artifact_created', actor: d.caller, subject: a.id, data: { type, size_bytes: size, has_standing: hasStanding, can_execute: canExecute } });
  const changed = Object.keys(a).filter((k) => k !== 'id' && k !== 'endowment');
  return {
    id: a.id,
    created: true,
    size_bytes: size,
    owner_id: d.caller,
    changed,
    ...(hasStanding && canExecute ? { agent: true } : {}),
    ...(a.endowment ? { endowment: a.endowment } : {}),
  };
}

export async function requireArtifact(client: PoolClient, id: string, forUpdate = false): Promise<q.ArtifactRow> {
  const a = await q.getArtifact(client, id, forUpdate);
  if (!a) throw notFound(`artifact ${id} does not exist`);
  return a;
}

/** The artifact as an actor may see it. */
export function publicView(a: q.ArtifactRow): Record<string, unknown> {
  return {
    id: a.id,
    type: a.type,
    content: a.content,
    code: a.code,
    owner_id: a.owner_id,
    access_contract_id: a.access_contract_id,
    has_standing: a.has_standing,
    can_execute: a.can_execute,
    price: a.price,
    size_bytes: a.size_bytes,
    genesis: a.genesis,
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

export async function readArtifact(d: StoreDeps, id: string): Promise<Record<string, unknown>> {
  const a = await requireArtifact(d.client, id);
  await checkAccess(d.client, d.caller, a, 'read', d.customContract);
  return publicView(a);
}

export async function deleteArtifact(d: StoreDeps, id: string): Promise<{ id: string; reclaimed_bytes: number }> {
  const a = await requireArtifact(d.client, id, true);
  await checkAccess(d.client, d.caller, a, 'delete', d.customContract);
  if (a.has_standing) throw forbidden(`${id} is a principal; principals cannot be deleted`);
  const guarded = await d.client.query('SELECT id FROM artifacts WHERE access_contract_id = $1 LIMIT 1', [id]);
  if (guarded.rowCount) throw new EcologyError('CONFLICT', `${id} is the access contract of ${guarded.rows[0].id} and cannot be deleted`);
  // Closed listings stay as history (their artifact_id is plain text); an open one holds the artifact.
  const listed = await d.client.query<{ seller_id: string }>(`SELECT seller_id FROM escrow_listings WHERE artifact_id = $1 AND status = 'open'`, [id]);
  if (listed.rowCount) {
    throw new EcologyError('CONFLICT', `${id} is listed on genesis_escrow by ${listed.rows[0].seller_id}; the listing must be cancelled or sold before it can be deleted`, {
      seller: listed.rows[0].seller_id,
    });
  }
  await q.deleteArtifactRow(d.client, id);
  await emit(d.client, { type: 'artifact_deleted', actor: d.caller, subject: id, data: { reclaimed_bytes: a.size_bytes, owner_id: a.owner_id } });
  return { id, reclaimed_bytes: a.size_bytes };
}

/** Moves ownership; the new owner must have standing and room on its disk quota. */
export async function transferOwnership(d: StoreDeps, id: string, to: string, opts: { skipAccess?: boolean } = {}): Promise<{ id: string; from: string; to: string }> {
  const a = await requireArtifact(d.client, id, true);
  if (!opts.skipAccess) await checkAccess(d.client, d.caller, a, 'transfer', d.customContract);
  const recipient = await requireArtifact(d.client, to);
  if (!recipient.has_standing) throw invalid(`${to} has no standing and cannot own artifacts`);
  // The escrow takes artifacts only through a listing; other genesis principals never own them.
  if (recipient.genesis) throw forbidden(`${to} is a genesis artifact and cannot be given artifacts`);
  if (a.owner_id === to) throw invalid(`${to} already owns ${id}`);
  await ensureDiskFits(d.client, to, a.size_bytes, false);
  await q.setOwner(d.client, id, to);
  await emit(d.client, { type: 'ownership_transferred', actor: d.caller, subject: id, data: { from: a.owner_id, to } });
  return { id, from: a.owner_id, to };
}
