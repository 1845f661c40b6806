/**
 * Workflow unit tests on the time-skipping test server (the temporal-test-server binary, offline via
 * TEMPORAL_TEST_SERVER_PATH or PATH): timers and timeouts pass in virtual time, and the activities
 * are plain functions registered on the worker, so neither PostgreSQL nor Docker is needed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { workflowBundle } from '../agents/support/bundle';

export function testServerPath(): string {
  return process.env.TEMPORAL_TEST_SERVER_PATH || execFileSync('sh', ['-c', 'command -v temporal-test-server'], { encoding: 'utf8' }).trim();
}

/** The failures these tests cause on purpose are not worth a log line. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } } });
  } catch {
    // Already installed in this process.
  }
}

export function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } });
}

/** A task queue no other test uses. */
export function uniqueQueue(name: string): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

/**
 * Runs `body` while workers serve: the workflows of `workflowsPath` with `activities` on `taskQueue`,
 * and each of `more` (activities only, e.g. on another queue).
 */
export async function withWorkers<T>(
  env: TestWorkflowEnvironment,
  opts: { workflowsPath: string; taskQueue: string; activities: object; more?: Array<{ taskQueue: string; activities: object }> },
  body: () => Promise<T>,
): Promise<T> {
  const { code } = await workflowBundle(opts.workflowsPath);
  const workers = [
    await Worker.create({ connection: env.nativeConnection, taskQueue: opts.taskQueue, workflowBundle: { code }, activities: opts.activities }),
    ...(await Promise.all((opts.more ?? []).map((m) => Worker.create({ connection: env.nativeConnection, taskQueue: m.taskQueue, activities: m.activities })))),
  ];
  const running = workers.map((w) => w.run());
  try {
    return await body();
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
  }
}
