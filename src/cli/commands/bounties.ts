import { randomUUID } from 'node:crypto';
import { loadSuite, planSuiteLoad } from '../../bounties/loadSuite';
import { readSuite } from '../../bounties/suite';
import { invoke } from '../../invoke/invoke';
import { sandboxPoolFromConfig } from '../../invoke/sandboxPool';
import { artifactId, parseArgs } from '../../validation';
import { UsageError, type Command } from '../command';
import { stringOption } from '../parse';
import { table } from '../table';

/** `ecology bounties load <file>`: posts a suite of bounties (src/bounties/suite.ts, loadSuite.ts). */
export const bountiesCommand: Command = {
  name: 'bounties',
  usage: 'bounties load <suite.json> --poster <principal>',
  summary: 'post every bounty of a suite file (checker artifacts owned by the poster, rewards from the poster); loading again posts nothing twice',
  valueOptions: ['poster'],
  async run(ctx) {
    const [sub, file, ...extra] = ctx.positionals;
    if (sub !== 'load' || !file || extra.length > 0) throw new UsageError('expected: bounties load <suite.json> --poster <principal>');
    const posterText = stringOption(ctx.options.poster, 'poster');
    if (!posterText) throw new UsageError('load needs --poster <principal>: it owns the checkers and pays the rewards');
    const poster = parseArgs(artifactId, posterText, '--poster');
    const config = ctx.config();
    const suite = readSuite(file, config.limits);
    const pool = await ctx.pool();
    // Genesis calls only: the pool is made lazily and never starts a container here.
    const sandbox = sandboxPoolFromConfig(config);
    try {
      const results = await loadSuite(planSuiteLoad(suite), poster, (req) => invoke({ pool, config, sandbox }, req), () => `cli:${randomUUID()}`);
      const failed = results.filter((r) => r.status === 'failed').length;
      const human = [
        `suite ${suite.name}: ${results.filter((r) => r.status === 'posted').length} posted, ${results.filter((r) => r.status === 'already_posted').length} already posted, ${failed} failed`,
        table(results, [
          { header: 'id', cell: (r) => r.id },
          { header: 'reward', cell: (r) => r.reward, right: true },
          { header: 'deadline', cell: (r) => r.deadline },
          { header: 'status', cell: (r) => (r.error ? `${r.status}: ${r.error.code}: ${r.error.message}` : r.poster && r.poster !== poster ? `${r.status} by ${r.poster}` : r.status) },
        ]),
      ].join('\n');
      ctx.print({ ok: failed === 0, suite: suite.name, poster, bounties: results }, human);
      return failed === 0 ? 0 : 1;
    } finally {
      await sandbox.close();
    }
  },
};
