import { randomUUID } from 'node:crypto';
import { dispatch } from '../../genesis/dispatch';
import { UsageError, type Command } from '../command';
import { jsonArgument, stringOption } from '../parse';

export const invokeCommand: Command = {
  name: 'invoke',
  usage: 'invoke --as <principal> <artifact> <method> [json-args] [--key <id>]',
  summary: 'call a method through the genesis dispatch, as a principal',
  valueOptions: ['as', 'key'],
  async run(ctx) {
    const caller = stringOption(ctx.options.as, 'as');
    const [artifactId, method, argsText] = ctx.positionals;
    if (!caller || !artifactId || !method) throw new UsageError('expected --as <principal> <artifact> <method>');
    const key = stringOption(ctx.options.key, 'key') ?? `cli:${randomUUID()}`;
    const outcome = await dispatch({ pool: await ctx.pool(), config: ctx.config() }, { caller, artifactId, method, args: jsonArgument(argsText, 'json-args'), key });
    const out = outcome.ok
      ? { ok: true, result: outcome.result, key, replayed: outcome.replayed, compute_charged: outcome.compute_charged }
      : { ok: false, error: outcome.error, key, replayed: outcome.replayed, compute_charged: outcome.compute_charged };
    ctx.print(out, outcome.ok ? JSON.stringify(outcome.result, null, 2) : `failed: ${outcome.error.code}: ${outcome.error.message}`);
    return outcome.ok ? 0 : 1;
  },
};
