import { createOperatorPrincipal } from '../../artifacts/operator';
import { UsageError, type Command } from '../command';
import { jsonArgument, stringOption, wholeOption } from '../parse';

export const principalCommand: Command = {
  name: 'principal',
  usage: 'principal create <id> [--scrip N] [--compute N] [--kind agent|account] [--content JSON]',
  summary: 'issue a new principal with starting scrip (minted) and compute',
  valueOptions: ['scrip', 'compute', 'kind', 'content'],
  async run(ctx) {
    const [sub, id] = ctx.positionals;
    if (sub !== 'create' || !id) throw new UsageError('expected: principal create <id>');
    const kind = stringOption(ctx.options.kind, 'kind') ?? 'agent';
    if (kind !== 'agent' && kind !== 'account') throw new UsageError('--kind must be agent or account');
    const result = await createOperatorPrincipal(await ctx.pool(), ctx.config(), {
      id,
      kind,
      scrip: wholeOption(ctx.options.scrip, 'scrip', 0),
      compute: wholeOption(ctx.options.compute, 'compute', 0),
      content: jsonArgument(stringOption(ctx.options.content, 'content'), '--content'),
    });
    ctx.print({ ok: true, result }, `created ${result.id} with ${result.scrip} scrip and ${result.compute} compute`);
    return 0;
  },
};
