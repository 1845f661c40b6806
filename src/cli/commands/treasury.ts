import { grant, readBucket } from '../../buckets/store';
import { withTransaction } from '../../db/tx';
import { SCRIP, SYSTEM_ACCOUNTS } from '../../ids';
import { getBalance } from '../../ledger/queries';
import { transfer } from '../../ledger/transfer';
import { UsageError, type Command } from '../command';
import { callerKey, parseArgs } from '../../validation';
import { stringOption, wholeOption } from '../parse';

/**
 * The treasury pays spawned agents. It receives scrip only by explicit operator issuance (the
 * configured one at the first bootstrap, or this command) and genesis fees.
 */
export const treasuryCommand: Command = {
  name: 'treasury',
  usage: 'treasury [issue --key K [--scrip N] [--compute N]]',
  summary: "the treasury's scrip and compute; `issue` mints scrip and issues compute to it (an operator's issuance, idempotent by --key)",
  valueOptions: ['key', 'scrip', 'compute'],
  async run(ctx) {
    const [sub, ...extra] = ctx.positionals;
    if ((sub !== undefined && sub !== 'issue') || extra.length > 0) throw new UsageError('expected: treasury [issue --key K --scrip N --compute N]');
    const pool = await ctx.pool();
    const t = SYSTEM_ACCOUNTS.treasury;
    let issued = null;
    if (sub === 'issue') {
      const chosen = stringOption(ctx.options.key, 'key');
      if (!chosen) throw new UsageError('issue needs --key (its idempotency key: a repeat issues nothing more)');
      const key = parseArgs(callerKey, chosen, '--key');
      const scrip = wholeOption(ctx.options.scrip, 'scrip', 0);
      const compute = wholeOption(ctx.options.compute, 'compute', 0);
      if (scrip === 0 && compute === 0) throw new UsageError('issue needs --scrip and/or --compute');
      issued = await withTransaction(pool, async (client) => ({
        scrip: scrip > 0 ? await transfer(client, { id: `issue:treasury:${key}:scrip`, from: SYSTEM_ACCOUNTS.mint, to: t, asset: SCRIP, amount: scrip, kind: 'issuance' }) : null,
        compute: compute > 0 ? await grant(client, { id: `issue:treasury:${key}:compute`, principal: t, resource: 'compute', amount: compute, kind: 'issuance' }) : null,
      }));
    }
    const client = await pool.connect();
    const balances = await (async () => ({ scrip: (await getBalance(client, t, SCRIP)) ?? 0, compute: (await readBucket(client, t, 'compute')).available }))().finally(() => client.release());
    ctx.print({ ok: true, treasury: balances, ...(issued ? { issued } : {}) }, `treasury: ${balances.scrip} scrip, ${balances.compute} compute${issued ? ' (after the issuance)' : ''}`);
    return 0;
  },
};
