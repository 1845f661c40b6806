import { createLogger, type LogDestination, type Logger, type LoggerOptions } from '../../src/log/logger';

/** One JSON line the logger wrote, parsed. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

export interface CapturedLog {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines: LogLine[];
  /** The raw text written so far. */
  text(): string;
}

/** A destination that keeps what is written: the text as written, and each JSON line parsed. */
export function captureStream(): { destination: LogDestination; raw: string[]; lines: LogLine[] } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const destination: LogDestination = {
    write(chunk: string) {
      raw.push(chunk);
      for (const line of chunk.split('\n')) if (line.trim().startsWith('{')) lines.push(JSON.parse(line) as LogLine);
    },
  };
  return { destination, raw, lines };
}

/** A JSON logger (src/log/logger.ts) whose lines a test reads. */
export function captureLog(opts: Omit<LoggerOptions, 'destination'> = {}): CapturedLog {
  const { destination, raw, lines } = captureStream();
  return { logger: createLogger({ format: 'json', ...opts, destination }), lines, text: () => raw.join('') };
}
