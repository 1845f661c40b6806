import { migrate } from '../../db/migrate';
import { bootstrapGenesis } from '../../genesis/bootstrap';
import { audit } from '../../ledger/audit';
import type { Command } from '../command';

export const upCommand: Command = {
  name: 'up',
  usage: 'up',
  summary: 'prepare the database and genesis artifacts, then report the state of the economy',
  async run(ctx) {
    const pool = await ctx.pool();
    const { applied } = await migrate(pool);
    const { created } = await bootstrapGenesis(pool);
    const principals = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM artifacts WHERE has_standing AND NOT genesis')).rows[0].n;
    const supply = (await pool.query<{ supply: number }>(`SELECT -balance AS supply FROM accounts WHERE principal_id = 'mint' AND asset = 'scrip'`)).rows[0]?.supply ?? 0;
    const report = await audit(pool);
    const state = { ok: report.ok, migrations_applied: applied, genesis_created: created, principals, scrip_supply: supply, audit_ok: report.ok };
    ctx.print(state, [`database ready (${applied.length} migrations applied, ${created.length} genesis artifacts created)`, `principals: ${principals}`, `scrip supply: ${supply}`, `audit: ${report.ok ? 'ok' : 'FAILED'}`].join('\n'));
    return report.ok ? 0 : 1;
  },
};
