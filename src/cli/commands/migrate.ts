import { migrate } from '../../db/migrate';
import { bootstrapGenesis } from '../../genesis/bootstrap';
import type { Command } from '../command';

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'migrate',
  summary: 'apply pending database migrations and create the genesis artifacts',
  async run(ctx) {
    const pool = await ctx.pool();
    const { applied, functions } = await migrate(pool);
    const { created } = await bootstrapGenesis(pool);
    // `functions`: the functions file, when the database ran other definitions (migrations/functions.sql).
    const files = functions ? [...applied, functions] : applied;
    ctx.print({ ok: true, applied, ...(functions ? { functions } : {}), genesis_created: created }, files.length ? `applied ${files.join(', ')}` : 'database is up to date');
    return 0;
  },
};
