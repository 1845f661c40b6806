import { makeTelemetryFilterString, Runtime, type LogLevel, type LogMetadata, type Logger as SdkLogger } from '@temporalio/worker';
import { processLogger, type Logger } from '../log/logger';
import { failureText } from './failureText';

/**
 * Warnings the SDK gives for things done on purpose: `ecology up` registers no workflows on the
 * sandbox task queue (it only runs activities there).
 */
const INTENDED = [/No workflows registered, not polling for workflow tasks/];

/**
 * The SDK's own informational lines (worker state changes, pollers not started...) are details for
 * debugging; at info a worker says what the ecology does. Lines of workflow and activity code keep
 * their level.
 */
const SDK_OWN = new Set(['worker', 'core']);

/** Metadata the SDK attaches that only bloats a line (the activity's task token is a long base64). */
const DROPPED = new Set(['taskToken']);

/** The first line of a failure's text, short. */
const errorText = (e: unknown) => failureText(e).split('\n')[0]!.slice(0, 300);

/**
 * The SDK's metadata as fields of one line: workflowId, runId, workflowType, activityId,
 * activityType, taskQueue... as given; an error or failure as its first line (no stack trace, no
 * object dump).
 */
export function logFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (DROPPED.has(key)) continue;
    fields[key] = key === 'error' || key === 'failure' ? errorText(value) : value;
  }
  return fields;
}

const METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The Temporal SDK's logger interface over a pino logger, looked up at every line (so it can be replaced). */
export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly target: () => Logger = processLogger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (INTENDED.some((r) => r.test(message))) return;
    const logger = this.target();
    const method = level === 'INFO' && SDK_OWN.has(meta?.sdkComponent as string) ? 'debug' : (METHOD[level] ?? 'info');
    if (logger.isLevelEnabled(method)) logger[method](logFields(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * Makes the Temporal SDK of this process log through the process logger (src/log/logger.ts): its own
 * lines, those of `log` in workflow code and of `Context.current().log` in activity code (with their
 * workflow and activity ids), and the native core's warnings (forwarded rather than printed apart).
 * Must run before the first worker or native connection is made; returns false when the runtime
 * already exists (a test, or a second command in this process), which is then kept.
 */
export function installRuntimeLogger(target: () => Logger = processLogger): boolean {
  try {
    Runtime.install({
      logger: new PinoSdkLogger(target),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} } },
    });
    return true;
  } catch {
    return false;
  }
}
