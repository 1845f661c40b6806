import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { loadConfig } from '../config/load';
import type { EcologyConfig } from '../config/schema';
import { checkMigrations } from '../db/migrate';
import { openDatabase, type Database } from '../db/open';
import { isEcologyError, type ErrorInfo } from '../errors';
import { LOG_LEVELS, loggerFromSettings, setProcessLogger } from '../log/logger';
import { UsageError, type Command, type CommandContext } from './command';
import { COMMANDS } from './commands';
import { globalOptions } from './parse';
import { didYouMean } from './suggest';
import { readWorldLayer } from '../config/worldFile';
import { connectionSources, describeConnectionError, describeTemporalError } from './connectionErrors';

function help(): string {
  const lines = COMMANDS.map((c) => `  ${c.usage.padEnd(58)} ${c.summary}`);
  return [
    'usage: ecology <command> [options] [--json]',
    '',
    'commands:',
    ...lines,
    '',
    'Every command prints JSON with --json and exits non-zero on failure.',
    'Logs go to stderr: JSON lines, or readable lines on a terminal (ECOLOGY_LOG_FORMAT=json|pretty); level info unless',
    `--log-level <level> (before or after the command) or ECOLOGY_LOG_LEVEL says otherwise (${LOG_LEVELS.join(', ')}).`,
  ].join('\n');
}

/** `ecology <command> --help`: its usage, what it does, and its options. */
function commandHelp(c: Command): string {
  const options = [...(c.valueOptions ?? []).map((o) => `--${o} <value>`), ...(c.flagOptions ?? []).map((o) => `--${o}`), '--json', '--config <file>', '--log-level <level>'];
  return [`usage: ecology ${c.usage}`, '', c.summary, '', `options: ${options.join('  ')}`, '', 'Every command prints JSON with --json and exits non-zero on failure.'].join('\n');
}

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

/** Runs one CLI invocation and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  let args: string[];
  try {
    const global = globalOptions(argv);
    // The process logger, as told: --log-level over $ECOLOGY_LOG_LEVEL (a bad level is refused here).
    // Told nothing, the one the process has (made from the defaults at first use) is kept.
    if (global.logLevel !== undefined || process.env.ECOLOGY_LOG_LEVEL || process.env.ECOLOGY_LOG_FORMAT) setProcessLogger(loggerFromSettings({ flag: global.logLevel }));
    args = global.rest;
  } catch (e) {
    if (e instanceof UsageError) return fail(argv.includes('--json'), { code: 'USAGE', message: e.message });
    if (isEcologyError(e)) return fail(argv.includes('--json'), e.toJSON());
    throw e;
  }
  const [name, ...rest] = args;
  const json = rest.includes('--json');
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const about = name === 'help' && rest[0] ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (name === 'help' && rest[0] && !about) return fail(json, { code: 'USAGE', message: `unknown command ${rest[0]}${didYouMean(rest[0], COMMANDS.map((c) => c.name))}; run "ecology help"` });
    process.stdout.write((about ? commandHelp(about) : help()) + '\n');
    return name ? 0 : 1;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) return fail(json, { code: 'USAGE', message: `unknown command ${name}${didYouMean(name, COMMANDS.map((c) => c.name))}; run "ecology help"` });
  if (wantsHelp(rest) && !(command.rawArgs && rest[0] !== '--help' && rest[0] !== '-h')) {
    process.stdout.write(commandHelp(command) + '\n');
    return 0;
  }

  let db: Database | undefined;
  let pool: Pool | undefined;
  let config: EcologyConfig | undefined;
  let temporal: Promise<Client> | undefined;
  // `up` starts the world and writes the world file; every other command reads it.
  const world = command.startsWorld ? undefined : readWorldLayer();
  try {
    const parsed = command.rawArgs ? { positionals: rest, values: { json } as Record<string, string | boolean | undefined> } : parseOptions(command, rest);
    // --log-level after the command name works too.
    if (typeof parsed.values['log-level'] === 'string') setProcessLogger(loggerFromSettings({ flag: parsed.values['log-level'] }));
    const ctx: CommandContext = {
      positionals: parsed.positionals,
      options: parsed.values as Record<string, string | boolean | undefined>,
      json,
      config: () => (config ??= loadConfig({ file: typeof parsed.values.config === 'string' ? parsed.values.config : undefined, world: world?.layer })),
      pool: async () => {
        if (!pool) {
          db = await openDatabase(ctx.config());
          pool = db.pool;
          await pool.query('SELECT 1');
          // A database migrated by other code (an edited or unknown migration) is refused; one not
          // migrated yet is left to `ecology migrate` and the NOT_MIGRATED report of a missing table.
          await checkMigrations(pool, { allowPending: true });
        }
        return pool;
      },
      temporal: () => {
        // Loaded lazily: commands that never talk to Temporal don't pay for its client.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { connectClient } = require('../temporal/connection') as typeof import('../temporal/connection');
        return (temporal ??= connectClient(ctx.config(), { connectTimeoutMs: ctx.config().ecology.temporalConnectTimeoutMs }));
      },
      print: (value, human) => process.stdout.write((json ? JSON.stringify(value) : human ?? JSON.stringify(value, null, 2)) + '\n'),
    };
    return await command.run(ctx);
  } catch (e) {
    if (e instanceof UsageError) return fail(json, { code: 'USAGE', message: `${e.message}\nusage: ecology ${command.usage}` });
    const sources = connectionSources(process.env, world, config);
    if (isEcologyError(e)) {
      const out = e.toJSON();
      if (e.details?.service === 'temporal') out.message += ` (address from ${sources.temporal})`;
      return fail(json, out);
    }
    const connection = describeConnectionError(e, config, sources) ?? describeTemporalError(e, config, sources);
    if (connection) return fail(json, connection);
    return fail(json, { code: 'INTERNAL', message: (e as Error).message ?? String(e) });
  } finally {
    await db?.close().catch(() => undefined);
    if (temporal) await temporal.then((c) => c.connection.close()).catch(() => undefined);
  }
}

/**
 * Strict parsing: an unknown option, or a value option without its value, is a usage error rather
 * than something silently ignored. Every command takes --json, --config <file> and --log-level <level>.
 */
function parseOptions(command: Command, args: string[]) {
  const options = {
    json: { type: 'boolean' as const },
    config: { type: 'string' as const },
    'log-level': { type: 'string' as const },
    ...Object.fromEntries((command.valueOptions ?? []).map((o) => [o, { type: 'string' as const }])),
    ...Object.fromEntries((command.flagOptions ?? []).map((o) => [o, { type: 'boolean' as const }])),
  };
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (e) {
    // Node's own text for an unknown option is about positionals starting with '-'; say what the command takes.
    const unknown = /^Unknown option '([^']+)'/.exec((e as Error).message);
    if (!unknown) throw new UsageError((e as Error).message);
    const known = Object.keys(options).map((o) => `--${o}`);
    throw new UsageError(`Unknown option '${unknown[1]}'${didYouMean(unknown[1]!, known)}; ecology ${command.name} takes ${known.join(', ')} (see "ecology ${command.name} --help")`);
  }
}

function fail(json: boolean, error: ErrorInfo): number {
  if (json) process.stdout.write(JSON.stringify({ ok: false, error }) + '\n');
  else process.stderr.write(`ecology: ${error.code}: ${error.message}\n`);
  return 1;
}
