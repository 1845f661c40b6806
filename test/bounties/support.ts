/**
 * Shared set-up for the bounty tests: the invocation tests' world (fresh database, real Docker
 * sandbox, principals with exact buckets) plus real Temporal workers on the dev server serving the
 * bounty workflows: the ecology side (the workflows, the bounty activities, hold and settle) and
 * the sandbox side (the checker's run). Dispatch's bounty hook starts the workflows as in production.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createBountyActivities } from '../../activities/bounties';
import { createSandboxActivities } from '../../activities/sandbox';
import { bountyCommittedHook } from '../../src/bounties/hooks';
import * as bq from '../../src/bounties/queries';
import { bountyStarter } from '../../src/temporal/bountyWorkflows';
import { connectClient } from '../../src/temporal/connection';
import { readWorldId } from '../../src/world/identity';
import { createSandboxWorker } from '../../workers/sandboxWorker';
import { workflowBundle } from '../agents/support/bundle';
import { setupWorld, type World } from '../invoke/support';

export interface BountyWorld extends World {
  client: Client;
  /** dispatch/invoke as `caller` on genesis_bounty. */
  call(caller: string, method: string, args: unknown, key?: string): ReturnType<World['invoke']>;
  /** Waits until the submission's check has a verdict. */
  verdict(submissionId: number): Promise<bq.SubmissionRow>;
  bounty(id: string): Promise<bq.BountyRow>;
  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export async function setupBountyWorld(overrides: Record<string, unknown> = {}): Promise<BountyWorld> {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed already in this process
  }
  const suffix = randomBytes(4).toString('hex');
  const w = await setupWorld({
    overrides: {
      temporal: { taskQueue: `bounty-test-${suffix}`, sandboxTaskQueue: `bounty-sandbox-${suffix}`, address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' },
      sandbox: { limits: { timeoutMs: 4000 }, activities: { timeoutMs: 10_000, initialIntervalMs: 100, maximumIntervalMs: 500, runScheduleToStartMs: 20_000, runTimeoutMs: 30_000, runMaximumAttempts: 2 } },
      bounties: { deadlineRecheckSeconds: 1 },
      ...overrides,
    },
  });
  const client = await connectClient(w.config);
  const connection = await NativeConnection.connect({ address: w.config.temporal.address });
  const { code } = await workflowBundle(join(__dirname, '..', '..', 'workflows', 'bounty.ts'));
  const hooks = { bountyCommitted: bountyCommittedHook(w.pool, w.config, bountyStarter(client, w.config, () => readWorldId(w.pool))) };
  w.deps.hooks = hooks;
  const ecology = await Worker.create({
    connection,
    namespace: w.config.temporal.namespace,
    taskQueue: w.config.temporal.taskQueue,
    workflowBundle: { code },
    activities: { ...createSandboxActivities({ pool: w.pool, config: w.config, sandbox: null, hooks }), ...createBountyActivities({ pool: w.pool, config: w.config, temporal: client }) },
  });
  const sandbox = await createSandboxWorker({ connection, pool: w.pool, config: w.config, sandbox: w.sandbox!, hooks });
  const workers = [ecology, sandbox].map((worker) => ({ worker, running: worker.run() }));

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    ...w,
    client,
    call: (caller, method, args, key) => w.invoke(caller, 'genesis_bounty', method, args, key),
    verdict: (id) =>
      waitFor(`the verdict on submission ${id}`, async () => {
        const s = await bq.getSubmission(w.pool, id);
        return s && s.status !== 'checking' ? s : undefined;
      }),
    bounty: async (id) => (await bq.getBounty(w.pool, id))!,
    waitFor,
    async stop() {
      for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await Promise.allSettled(workers.map((x) => x.running));
      await connection.close().catch(() => undefined);
      await client.connection.close().catch(() => undefined);
      await w.close();
    },
  };
}

/** A checker: passes when the submission's run({x}) returns x*2. */
export const DOUBLER_CHECKER = `export async function run(args, ctx) {
  const out = await ctx.invoke(args.submission, 'run', { x: 21 });
  return out === 42 ? { pass: true, score: 90 } : { pass: false, score: 0 };
}`;
export const GOOD_SUBMISSION = 'export function run(a) { return a.x * 2 }';
