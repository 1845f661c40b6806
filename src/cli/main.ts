import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { loadConfig } from '../config/load';
import type { EcologyConfig } from '../config/schema';
import { checkMigrations } from '../db/migrate';
import { openDatabase, type Database } from '../db/open';
import { isEcologyError } from '../errors';
import { UsageError, type Command, type CommandContext } from './command';
import { COMMANDS } from './commands';
import { describeConnectionError } from './connectionErrors';

function help(): string {
  const lines = COMMANDS.map((c) => `  ${c.usage.padEnd(58)} ${c.summary}`);
  return ['usage: ecology <command> [options] [--json]', '', 'commands:', ...lines, '', 'Every command prints JSON with --json and exits non-zero on failure.'].join('\n');
}

/** Runs one CLI invocation and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 1;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  const json = rest.includes('--json');
  if (!command) return fail(json, { code: 'USAGE', message: `unknown command ${name}; run "ecology help"` });

  let db: Database | undefined;
  let pool: Pool | undefined;
  let config: EcologyConfig | undefined;
  let temporal: Promise<Client> | undefined;
  try {
    const parsed = command.rawArgs ? { positionals: rest, values: { json } as Record<string, string | boolean | undefined> } : parseOptions(command, rest);
    const ctx: CommandContext = {
      positionals: parsed.positionals,
      options: parsed.values as Record<string, string | boolean | undefined>,
      json,
      config: () => (config ??= loadConfig({ file: typeof parsed.values.config === 'string' ? parsed.values.config : undefined })),
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
    if (isEcologyError(e)) return fail(json, e.toJSON());
    const connection = describeConnectionError(e, config);
    if (connection) return fail(json, connection);
    return fail(json, { code: 'INTERNAL', message: (e as Error).message ?? String(e) });
  } finally {
    await db?.close().catch(() => undefined);
    if (temporal) await temporal.then((c) => c.connection.close()).catch(() => undefined);
  }
}

/**
 * Strict parsing: an unknown option, or a value option without its value, is a usage error rather
 * than something silently ignored. Every command takes --json and --config <file>.
 */
function parseOptions(command: Command, args: string[]) {
  const options = {
    json: { type: 'boolean' as const },
    config: { type: 'string' as const },
    ...Object.fromEntries((command.valueOptions ?? []).map((o) => [o, { type: 'string' as const }])),
    ...Object.fromEntries((command.flagOptions ?? []).map((o) => [o, { type: 'boolean' as const }])),
  };
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function fail(json: boolean, error: { code: string; message: string }): number {
  if (json) process.stdout.write(JSON.stringify({ ok: false, error }) + '\n');
  else process.stderr.write(`ecology: ${error.code}: ${error.message}\n`);
  return 1;
}
