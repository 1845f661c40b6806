import { z } from 'zod';
import { deleteArtifact, publicView, readArtifact, requireArtifact, transferOwnership, writeArtifact, type StoreDeps } from '../../artifacts/store';
import { listArtifacts } from '../../artifacts/queries';
import { checkAccess } from '../../artifacts/access';
import { codeHash } from '../../artifacts/codeHash';
import { refuseIfPinnedChecker } from '../../bounties/pinnedChecker';
import { artifactId } from '../../validation';
import { method, type CallContext, type GenesisServiceDef } from '../context';
import { limitArg } from './ledger';

const deps = (ctx: CallContext): StoreDeps => ({ client: ctx.client, caller: ctx.caller, config: ctx.config, customContract: ctx.hooks.customContract, key: ctx.key });
const idArgs = z.strictObject({ id: artifactId });
/** The id a write names (writeArtifact checks it and the rest). */
const idOf = (raw: unknown): string | undefined => (raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined);

export const storeService: GenesisServiceDef = {
  create: method({
    description:
      'Create an artifact you own: {id, type, content?, code?, price?, can_execute?, has_standing?, access_contract_id?, endowment?}. ' +
      'A principal (has_standing) starts with no scrip, compute or rights; endowment {scrip?, compute?, quotas?: {right: amount}} moves them from you ' +
      'with the creation (which fails, nothing moved, if you lack any). An agent (has_standing and can_execute) needs at least quotas llm_dollars, ' +
      'llm_token_rate and llm_token_capacity to think; its workflow starts with the creation.',
    args: z.unknown(),
    run: (ctx, a) => writeArtifact(deps(ctx), a, { createOnly: true }),
  }),
  write: method({
    description: 'Create an artifact, or change the fields you name of one you may write (same fields as create; others keep their value, null clears). Returns the fields changed.',
    args: z.unknown(),
    async run(ctx, a) {
      const id = idOf(a);
      if (id !== undefined) await refuseIfPinnedChecker(ctx.client, id, 'written');
      return writeArtifact(deps(ctx), a);
    },
  }),
  read: method({
    readOnly: true,
    description: 'Read an artifact you may read, with its content and code: {id}.',
    args: idArgs,
    run: (ctx, a) => readArtifact(deps(ctx), a.id),
  }),
  delete: method({
    description: 'Delete an artifact you may delete; its disk quota is reclaimed: {id}.',
    args: idArgs,
    async run(ctx, a) {
      await refuseIfPinnedChecker(ctx.client, a.id, 'deleted');
      return deleteArtifact(deps(ctx), a.id);
    },
  }),
  list: method({
    readOnly: true,
    description: 'List artifacts (metadata only), by id: {owner?, type?, limit?, cursor?}; pass next_cursor to page on.',
    args: z.strictObject({
      owner: artifactId.optional(),
      type: z.string().min(1).max(64).optional(),
      limit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      cursor: artifactId.optional(),
    }),
    async run(ctx, a) {
      const limit = limitArg(ctx, a.limit);
      const items = await listArtifacts(ctx.client, { owner: a.owner, type: a.type, after: a.cursor, limit });
      return { items, next_cursor: items.length === limit ? items[items.length - 1].id : null };
    },
  }),
  describe: method({
    readOnly: true,
    description:
      'Metadata of an artifact, and its content when you may read it: {id}. code_hash (sha256 of the code) is what invoke_artifact may pin: ' +
      'the invocation then fails CONFLICT, nothing charged, if the code changed since.',
    args: idArgs,
    async run(ctx, a) {
      const art = await requireArtifact(ctx.client, a.id);
      const { content: _content, code: _code, ...meta } = publicView(art);
      const readable = await checkAccess(ctx.client, ctx.caller, art, 'read', ctx.hooks.customContract).then(() => true, () => false);
      const code = { has_code: art.code !== null, code_hash: art.code === null ? null : codeHash(art.code) };
      return readable ? { ...meta, content: art.content, ...code } : { ...meta, ...code };
    },
  }),
  transfer_ownership: method({
    description: 'Give an artifact you may transfer to another principal: {id, to}.',
    args: z.strictObject({ id: artifactId, to: artifactId }),
    async run(ctx, a) {
      await refuseIfPinnedChecker(ctx.client, a.id, 'given away');
      return transferOwnership(deps(ctx), a.id, a.to);
    },
  }),
};
