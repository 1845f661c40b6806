import { audit } from '../../audit/audit';
import type { Command } from '../command';

export const auditCommand: Command = {
  name: 'audit',
  usage: 'audit',
  summary: 'check the ledger invariants; exits non-zero when any fails',
  async run(ctx) {
    const report = await audit(await ctx.pool());
    ctx.print(report, report.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`).join('\n'));
    return report.ok ? 0 : 1;
  },
};
