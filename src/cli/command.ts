import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';

/** What a subcommand gets: parsed options, positionals, and lazily made clients. */
export interface CommandContext {
  positionals: string[];
  options: Record<string, string | boolean | undefined>;
  json: boolean;
  config(): EcologyConfig;
  pool(): Promise<Pool>;
  /** A Temporal client for config.temporal (clear UNAVAILABLE error when unreachable); closed after run. */
  temporal(): Promise<Client>;
  /** Prints the result: JSON with --json, else the human text. */
  print(value: unknown, human?: string): void;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  /** Options taking a value. */
  valueOptions?: string[];
  /** Boolean flags (besides --json). Anything else starting with -- is a usage error. */
  flagOptions?: string[];
  /** `up`: it starts the world and writes the world file, so it does not read one. */
  startsWorld?: boolean;
  /** Hand every argument after the command name over as positionals, unparsed (`bench`). */
  rawArgs?: boolean;
  /** Returns the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** A failure the CLI reports as `{ok: false, error}` with a non-zero exit. */
export class UsageError extends Error {}
