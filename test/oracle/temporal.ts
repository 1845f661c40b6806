/**
 * Temporal set-up for the oracle tests: an in-process worker serving only the resolution workflow
 * (bundled once and cached, see test/agents/support/bundle.ts) and its activities, on a task queue
 * of its own; a client; polling helpers.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createOracleActivities } from '../../activities/oracle';
import type { EcologyConfig } from '../../src/config/schema';
import { connectClient } from '../../src/temporal/connection';
import { workflowBundle } from '../agents/support/bundle';
import { fakeLlmOverrides, type ChatRequestBody, type FakeLlm } from '../support/fakeLlm';

export const ORACLE_WORKFLOWS = join(__dirname, '..', '..', 'workflows', 'oracle.ts');

/** Configuration overrides of an oracle test: its own schedule id and task queue, short timings. */
export function oracleTestOverrides(fake: FakeLlm, oracle: Record<string, unknown> = {}): Record<string, unknown> {
  const suffix = randomBytes(4).toString('hex');
  return {
    ...fakeLlmOverrides(fake),
    temporal: { taskQueue: `oracle-test-${suffix}`, address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' },
    oracle: {
      scheduleId: `oracle-resolution-test-${suffix}`,
      activities: { timeoutMs: 20_000, initialIntervalMs: 100, maximumIntervalMs: 500, scoreTimeoutMs: 30_000, scoreHeartbeatTimeoutMs: 2_000, scoreMaximumAttempts: 3 },
      ...oracle,
    },
  };
}

export const isScorerRequest = (body: ChatRequestBody): boolean => body.response_format?.json_schema?.name === 'oracle_score';

export interface OracleWorker {
  shutdown(): Promise<void>;
}

/** Worker logs at ERROR only (the failure tests fail activities on purpose) (the runtime is per process: the first install wins). */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process.
  }
}

export async function startOracleWorker(pool: Pool, config: EcologyConfig): Promise<OracleWorker> {
  quietRuntime();
  const { code } = await workflowBundle(ORACLE_WORKFLOWS);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { code },
    activities: createOracleActivities({ pool, config }),
  });
  const running = worker.run();
  return {
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}

export function temporalClient(config: EcologyConfig): Promise<Client> {
  return connectClient(config);
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
