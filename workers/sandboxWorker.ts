/**
 * The sandbox side of a worker process. Where a Docker daemon answers, it makes the process's
 * SandboxPool and a second Temporal worker serving the saga's activities on the task queue
 * `temporal.sandboxTaskQueue` ('sandbox'), so that code runs only on hosts with Docker. Either way
 * it gives the ecology worker the custom-contract hook (when there is a sandbox) and the hold and
 * settle activities, which need only the database and run on the ecology queue: a refund never
 * waits for a sandbox host. workers/worker.ts uses it.
 */
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createSandboxActivities } from '../activities/sandbox';
import type { EcologyConfig } from '../src/config/schema';
import type { DispatchHooks } from '../src/genesis/context';
import { hooksOf } from '../src/invoke/contract';
import { agentCreatedHook } from '../src/agents/startCreated';
import { bountyCommittedHook } from '../src/bounties/hooks';
import { bountyStarter } from '../src/temporal/bountyWorkflows';
import { agentControl } from '../src/temporal/agentWorkflows';
import { readWorldId } from '../src/world/identity';
import { sandboxPoolIfDocker } from '../src/invoke/sandboxPool';
import { temporalSagaRunner } from '../src/invoke/temporal';
import type { InvokeOptions } from '../src/invoke/types';
import type { SandboxPool } from '../src/sandbox';

export interface SandboxWorkerOptions {
  connection: NativeConnection;
  pool: Pool;
  config: EcologyConfig;
  sandbox: SandboxPool;
  openai?: unknown;
  hooks?: DispatchHooks;
  /** Defaults to config.temporal.sandboxTaskQueue. */
  taskQueue?: string;
  /** Where refusals of another world's work are said (default: stderr). */
  log?: (message: string) => void;
}

/** A worker serving only holdInvocation, runInvocation and settleInvocation on the sandbox queue. */
export async function createSandboxWorker(opts: SandboxWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.config.temporal.namespace,
    taskQueue: opts.taskQueue ?? opts.config.temporal.sandboxTaskQueue,
    activities: createSandboxActivities({ pool: opts.pool, config: opts.config, sandbox: opts.sandbox, openai: opts.openai, hooks: opts.hooks, log: opts.log }),
    shutdownGraceTime: opts.config.agents.workerShutdownGraceMs,
  });
}

export interface SandboxSide {
  sandbox: SandboxPool | null;
  /**
   * For the agents' act step: run code here when this host has a sandbox, else send the saga to
   * Temporal (invokeArtifactWorkflow, its run on the sandbox queue) for a host that has one.
   */
  invoke: InvokeOptions;
  /** Dispatch hooks for the ecology worker: custom contracts run in this process's sandbox. */
  hooks: DispatchHooks;
  /** The saga's activities for the ecology queue (hold and settle are what the workflow sends there). */
  activities: ReturnType<typeof createSandboxActivities>;
  worker: Worker | null;
  /** Runs the sandbox worker until shutdown; never rejects (a failure is logged, the ecology goes on). */
  run(): Promise<void>;
  shutdown(): void;
  /** Removes the containers of a sandbox this side made. */
  close(): Promise<void>;
}

export async function startSandboxSide(opts: {
  connection: NativeConnection;
  client: Client;
  pool: Pool;
  config: EcologyConfig;
  /** undefined: make one when a daemon answers; null: none. */
  sandbox?: SandboxPool | null;
  openai?: unknown;
  hooks?: DispatchHooks;
  log: (message: string) => void;
}): Promise<SandboxSide> {
  const { config, pool, log } = opts;
  let sandbox = opts.sandbox ?? null;
  const own = opts.sandbox === undefined;
  if (own) {
    const found = await sandboxPoolIfDocker(config);
    sandbox = found.pool;
    if (!sandbox) log(`ecology worker: no Docker daemon (${found.reason}); not serving task queue ${config.temporal.sandboxTaskQueue}, so invocations of code are refunded unless another host serves it`);
  }
  // Code that creates an agent through ctx.invoke starts its workflow like every other path.
  const agentCreated = agentCreatedHook(pool, agentControl(opts.client, config, () => readWorldId(pool)));
  // So do a posted bounty's deadline timer and a submission's check.
  const bountyCommitted = bountyCommittedHook(pool, config, bountyStarter(opts.client, config, () => readWorldId(pool)));
  const hooks = hooksOf({ pool, config, sandbox, hooks: { agentCreated, bountyCommitted, ...opts.hooks } });
  const activities = createSandboxActivities({ pool, config, sandbox, openai: opts.openai, hooks, log });
  const worker = sandbox ? await createSandboxWorker({ connection: opts.connection, pool, config, sandbox, openai: opts.openai, hooks, log }) : null;
  const openai = opts.openai as InvokeOptions['openai'];
  return {
    sandbox,
    invoke: sandbox ? { sandbox, openai } : { sandbox: null, openai, runSaga: temporalSagaRunner(opts.client, { pool, config }) },
    hooks,
    activities,
    worker,
    run: () =>
      worker
        ? worker.run().catch((e: Error) => log(`ecology worker: the sandbox worker stopped: ${e.message}`))
        : Promise.resolve(),
    shutdown() {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
    },
    async close() {
      if (own) await sandbox?.close();
    },
  };
}
