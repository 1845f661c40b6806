import { Client, Connection } from '@temporalio/client';
import { startDashboard } from '../../dashboard/server';
import type { Command } from '../command';
import { readTokenFile } from '../../dashboard/tokenFile';
import { temporalTls } from '../../temporal/tls';
import { invalid } from '../../errors';
import { stringOption, wholeOption } from '../parse';

export const dashboardCommand: Command = {
  name: 'dashboard',
  usage: 'dashboard [--port N] [--host H] [--token-file F]',
  summary: 'serve the read-only economy dashboard (DATABASE_URL, TEMPORAL_ADDRESS) until SIGINT/SIGTERM',
  valueOptions: ['port', 'host', 'token', 'token-file'],
  async run(ctx) {
    const config = ctx.config();
    const port = wholeOption(ctx.options.port, 'port', config.dashboard.port);
    const host = stringOption(ctx.options.host, 'host') ?? config.dashboard.host;
    if (ctx.options.token !== undefined) {
      throw invalid('the dashboard token is not taken from the command line (other users see it in the process list): set ECOLOGY_DASHBOARD_TOKEN, dashboard.token or --token-file');
    }
    const file = stringOption(ctx.options['token-file'], 'token-file');
    const token = file === undefined ? config.dashboard.token : readTokenFile(file);
    const pool = await ctx.pool();
    // Lazy: the page is served whether Temporal is up or not (statuses show 'unknown' meanwhile),
    // and the connection recovers by itself when Temporal comes back.
    const connection = Connection.lazy({ address: config.temporal.address, tls: temporalTls(config) });
    const temporalClient = new Client({ connection, namespace: config.temporal.namespace });
    const dashboard = await startDashboard({ pool, config, temporalClient, host, port, token });
    const login = dashboard.tokenRequired ? '; the page asks for the token' : '';
    process.stderr.write(`ecology dashboard: serving ${dashboard.url} (Temporal ${config.temporal.address}${login}; Ctrl-C stops)\n`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    await dashboard.close();
    await connection.close().catch(() => undefined);
    ctx.print({ ok: true, stopped: true, signal, url: dashboard.url }, `dashboard stopped (${signal})`);
    return 0;
  },
};
