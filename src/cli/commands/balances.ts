import { isInDebt } from '../../buckets/debt';
import { readBucket } from '../../buckets/store';
import { SCRIP } from '../../ids';
import type { Command } from '../command';
import { naturalCompare, table } from '../table';

export const balancesCommand: Command = {
  name: 'balances',
  usage: 'balances',
  summary: 'scrip, compute and LLM tokens of every principal; in debt = a compute or LLM-token bucket below zero',
  async run(ctx) {
    const pool = await ctx.pool();
    const client = await pool.connect();
    try {
      const rows = (
        await client.query<{ principal_id: string; balance: number; is_system: boolean }>(`SELECT a.principal_id, a.balance, a.is_system FROM accounts a WHERE a.asset = $1`, [SCRIP])
      ).rows.sort((a, b) => Number(a.is_system) - Number(b.is_system) || naturalCompare(a.principal_id, b.principal_id));
      const out = [];
      for (const r of rows) {
        const compute = await readBucket(client, r.principal_id, 'compute');
        const llm = await readBucket(client, r.principal_id, 'llm_tokens');
        out.push({
          principal: r.principal_id,
          scrip: r.balance,
          compute: compute.available,
          llm_tokens: llm.available,
          in_debt: isInDebt(compute, llm),
          compute_in_debt: compute.in_debt,
          llm_tokens_in_debt: llm.in_debt,
          system: r.is_system,
        });
      }
      ctx.print(
        out,
        table(out, [
          { header: 'PRINCIPAL', cell: (b) => b.principal },
          { header: 'SCRIP', cell: (b) => b.scrip, right: true },
          { header: 'COMPUTE', cell: (b) => b.compute, right: true },
          { header: 'LLM_TOKENS', cell: (b) => b.llm_tokens, right: true },
          { header: 'IN DEBT', cell: (b) => (b.in_debt ? [b.compute_in_debt && 'compute', b.llm_tokens_in_debt && 'llm_tokens'].filter(Boolean).join(', ') : '') },
        ]),
      );
      return 0;
    } finally {
      client.release();
    }
  },
};
