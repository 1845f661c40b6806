import { readBucket } from '../../buckets/store';
import { SCRIP } from '../../genesis/ids';
import type { Command } from '../command';

export const balancesCommand: Command = {
  name: 'balances',
  usage: 'balances',
  summary: 'scrip and compute of every principal',
  async run(ctx) {
    const pool = await ctx.pool();
    const client = await pool.connect();
    try {
      const rows = (
        await client.query<{ principal_id: string; balance: number; is_system: boolean }>(
          `SELECT a.principal_id, a.balance, a.is_system FROM accounts a WHERE a.asset = $1 ORDER BY a.is_system, a.principal_id`,
          [SCRIP],
        )
      ).rows;
      const out = [];
      for (const r of rows) {
        const compute = await readBucket(client, r.principal_id, 'compute');
        const llm = await readBucket(client, r.principal_id, 'llm_tokens');
        out.push({ principal: r.principal_id, scrip: r.balance, compute: compute.available, llm_tokens: llm.available, in_debt: compute.in_debt, system: r.is_system });
      }
      ctx.print(out, out.map((b) => `${b.principal.padEnd(32)} scrip ${String(b.scrip).padStart(10)}  compute ${String(b.compute).padStart(8)}${b.in_debt ? '  (in debt)' : ''}`).join('\n'));
      return 0;
    } finally {
      client.release();
    }
  },
};
