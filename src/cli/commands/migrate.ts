import { migrate } from '../../db/migrate';
import { bootstrapGenesis } from '../../genesis/bootstrap';
import type { Command } from '../command';

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'migrate',
  summary: 'apply pending database migrations and create the genesis artifacts',
  async run(ctx) {
    const pool = await ctx.pool();
    const { applied } = await migrate(pool);
    const { created } = await bootstrapGenesis(pool);
    ctx.print({ ok: true, applied, genesis_created: created }, applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
    return 0;
  },
};
