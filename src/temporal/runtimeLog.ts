import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { failureText } from './failureText';

/**
 * Warnings the SDK gives for things done on purpose: `ecology up` registers no workflows on the
 * sandbox task queue (it only runs activities there).
 */
const INTENDED = [/No workflows registered, not polling for workflow tasks/];

/** The first line of a failure's text, short. */
const errorText = (e: unknown) => failureText(e).split('\n')[0]!.slice(0, 300);

/** One log entry of the Temporal SDK as one short line (no stack trace, no object dump), or null to drop it. */
export function oneLine(entry: Pick<LogEntry, 'level' | 'message' | 'meta'>): string | null {
  if (INTENDED.some((r) => r.test(entry.message))) return null;
  const m = (entry.meta ?? {}) as Record<string, unknown>;
  const where = [m.workflowId, m.activityType ?? m.workflowType].filter((x) => typeof x === 'string').join(' ');
  const why = m.error !== undefined ? errorText(m.error) : m.failure !== undefined ? errorText(m.failure) : '';
  return [`[${entry.level}] ${entry.message}`, where && `(${where})`, why && `: ${why}`].filter(Boolean).join(' ').replace(' :', ':');
}

/**
 * Makes the Temporal SDK of this process log warnings and errors as one line each through `write`
 * (`ecology up`, `ecology worker`). Must run before the first worker or native connection is made;
 * a second call (the runtime already exists) changes nothing.
 */
export function installOneLineRuntimeLog(write: (line: string) => void): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => {
        const line = oneLine(entry);
        if (line) write(line);
      }),
    });
  } catch {
    // Already installed (a test, or a second command in this process): keep that one.
  }
}
