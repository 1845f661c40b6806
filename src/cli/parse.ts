import { UsageError } from './command';

/** A whole, non-negative number option, or the default. */
export function wholeOption(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be a whole number`);
  }
  return Number(value);
}

/** The `--limit` of a listing: a whole number from 1 to `max` (limits.maxListLimit), or the default. */
export function limitOption(value: string | boolean | undefined, fallback: number, max: number): number {
  const limit = wholeOption(value, 'limit', fallback);
  if (limit < 1 || limit > max) throw new UsageError(`--limit must be between 1 and ${max}`);
  return limit;
}

export function stringOption(value: string | boolean | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`--${name} needs a value`);
  return value;
}

export function jsonArgument(text: string | undefined, what: string): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Options given before the command name, for every command: `--log-level <level>` (or
 * `--log-level=<level>`). Returns them and the arguments that follow.
 */
export function globalOptions(argv: string[]): { logLevel?: string; rest: string[] } {
  let logLevel: string | undefined;
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('--log-level'); i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--log-level=')) logLevel = arg.slice('--log-level='.length);
    else if (arg === '--log-level') {
      if (argv[i + 1] === undefined) throw new UsageError('--log-level needs a value');
      logLevel = argv[++i];
    } else break;
  }
  return { logLevel, rest: argv.slice(i) };
}
