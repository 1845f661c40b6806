import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';

/** What a subcommand gets: parsed options, positionals, and lazily made clients. */
export interface CommandContext {
  positionals: string[];
  options: Record<string, string | boolean | undefined>;
  json: boolean;
  config(): EcologyConfig;
  pool(): Promise<Pool>;
  /** Prints the result: JSON with --json, else the human text. */
  print(value: unknown, human?: string): void;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  /** Options taking a value (others are flags). */
  valueOptions?: string[];
  /** Returns the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** A failure the CLI reports as `{ok: false, error}` with a non-zero exit. */
export class UsageError extends Error {}
