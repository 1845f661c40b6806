/**
 * The process's structured logger (pino). JSON lines on stderr (level as a word, ISO time), or
 * human-readable lines when stderr is a terminal; $ECOLOGY_LOG_FORMAT=json|pretty forces either.
 * The level comes from `ecology --log-level <level>` or $ECOLOGY_LOG_LEVEL (the flag wins; default
 * info). The Temporal SDK's logger, and with it every line of workflow and activity code, is wired to
 * this one in src/temporal/runtimeLog.ts. Lowest layer: it imports nothing of the ecology but its
 * error type.
 */
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import { invalid } from '../errors';

export type Logger = pino.Logger;
/** Where lines go (anything with write(line)); tests pass their own to read them. */
export type LogDestination = pino.DestinationStream;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const DEFAULT_LEVEL: LogLevel = 'info';

/** A level as given by a person (any case); anything else is a clear INVALID_ARGUMENT naming the levels. */
export function parseLogLevel(value: string, source: string): LogLevel {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw invalid(`${source} must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value)})`, { levels: [...LOG_LEVELS] });
}

export function parseLogFormat(value: string, source: string): LogFormat {
  const format = value.trim().toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
  throw invalid(`${source} must be one of ${LOG_FORMATS.join(', ')} (got ${JSON.stringify(value)})`, { formats: [...LOG_FORMATS] });
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Default: pretty when writing to stderr and stderr is a terminal, else json. */
  format?: LogFormat;
  /** Default: process.stderr. */
  destination?: LogDestination;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const destination = opts.destination ?? process.stderr;
  const terminal = destination === process.stderr && process.stderr.isTTY === true;
  const format = opts.format ?? (terminal ? 'pretty' : 'json');
  const options: pino.LoggerOptions = {
    name: 'ecology',
    level: opts.level ?? DEFAULT_LEVEL,
    serializers: { err: pino.stdSerializers.err },
  };
  if (format === 'pretty') {
    // pino-pretty's formatter on each line, written at once (no stream pipeline, nothing buffered).
    const prettify = prettyFactory({ colorize: terminal, singleLine: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' });
    return pino(options, { write: (line: string) => void destination.write(prettify(line)) });
  }
  return pino({ ...options, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, destination);
}

/** A logger that writes nothing (tests that do not read the lines, callers that asked for quiet). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The logger as the process is told to log: `flag` (--log-level) over $ECOLOGY_LOG_LEVEL; $ECOLOGY_LOG_FORMAT. */
export function loggerFromSettings(opts: { flag?: string; env?: NodeJS.ProcessEnv; destination?: LogDestination } = {}): Logger {
  const env = opts.env ?? process.env;
  const level = opts.flag !== undefined ? parseLogLevel(opts.flag, '--log-level') : env.ECOLOGY_LOG_LEVEL ? parseLogLevel(env.ECOLOGY_LOG_LEVEL, 'ECOLOGY_LOG_LEVEL') : undefined;
  const format = env.ECOLOGY_LOG_FORMAT ? parseLogFormat(env.ECOLOGY_LOG_FORMAT, 'ECOLOGY_LOG_FORMAT') : undefined;
  return createLogger({ level, format, destination: opts.destination });
}

let current: Logger | undefined;

/** The process's logger: the one set last, else one made from the environment on first use. */
export function processLogger(): Logger {
  return (current ??= loggerFromSettings());
}

/** Makes `logger` the process's logger (the CLI after reading --log-level; tests reading the lines). */
export function setProcessLogger(logger: Logger): Logger {
  current = logger;
  return logger;
}
