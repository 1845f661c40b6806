/**
 * The ecology worker: serves the workflows (bundled from workflows/index.ts) and the activities on
 * the task queue `temporal.taskQueue` ('ecology'), and runs the event relay that turns PostgreSQL
 * events into agent signals. Stateless: run as many as you like against one Temporal cluster and
 * one PostgreSQL. `ecology worker` starts it; so does `tsx workers/worker.ts`.
 *
 * ECOLOGY_WORKFLOW_BUNDLE may name a file holding prebuilt workflow code (bundleWorkflowCode's
 * `code`; the image sets it to the bundle built into it) to skip bundling at start-up.
 */
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from '../activities';
import { startEventRelay, type EventRelay } from '../src/temporal/eventRelay';
import { loggerFromSettings, processLogger, setProcessLogger, type Logger } from '../src/log/logger';
import { loadConfig } from '../src/config/load';
import { withLlmProvider } from '../src/config/provider';
import type { EcologyConfig } from '../src/config/schema';
import { checkMigrations } from '../src/db/migrate';
import { openDatabase, type Database } from '../src/db/open';
import { prebuiltWorkflowBundle } from '../src/ecology/workflowBundle';
import type { DispatchHooks } from '../src/genesis/context';
import type { LlmClient } from '../src/llm/client';
import { startAllAgentWorkflows } from '../src/temporal/agentWorkflows';
import { connectClient } from '../src/temporal/connection';
import { installRuntimeLogger } from '../src/temporal/runtimeLog';
import { connectWorkerConnection } from '../src/temporal/workerConnection';
import { readWorldId } from '../src/world/identity';
import type { SandboxPool } from '../src/sandbox';
import { startSandboxSide, type SandboxSide } from './sandboxWorker';

export interface EcologyWorkerOptions {
  config: EcologyConfig;
  /** Made from config.database when absent (and then ended on shutdown). */
  pool?: Pool;
  /** Defaults to config.temporal.taskQueue. */
  taskQueue?: string;
  /** Prebuilt workflow code (or its file); else $ECOLOGY_WORKFLOW_BUNDLE; else bundled from workflows/index.ts. */
  workflowBundle?: WorkflowBundleOption;
  hooks?: DispatchHooks;
  openai?: LlmClient;
  /** Docker sandbox: undefined = one from config.sandbox when a daemon answers (then also serving task queue 'sandbox'); null = none. */
  sandbox?: SandboxPool | null;
  /** Where the worker's own lines go (default: the process logger, src/log/logger.ts). */
  logger?: Logger;
  /** Also start the workflow of every agent artifact that has none running (idempotent). */
  startAgents?: boolean;
}

export interface RunningWorker {
  worker: Worker;
  relay: EventRelay;
  client: Client;
  taskQueue: string;
  /** Resolves when the worker has stopped (after shutdown()), rejects if it crashed. */
  done: Promise<void>;
  /** Graceful: stops polling, lets running tasks finish, then closes everything. Idempotent. */
  shutdown(): Promise<void>;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Workflow code given to the worker: the code itself, or the file holding it. */
export type WorkflowBundleOption = { code: string } | { codePath: string };

/** The Temporal worker options taken from configuration (section `worker`). */
export function workerTuning(config: EcologyConfig): Pick<WorkerOptions, 'maxCachedWorkflows'> {
  return { maxCachedWorkflows: config.worker.maxCachedWorkflows };
}

/**
 * Where the worker gets its workflow code: the bundle given, else the prebuilt file named by
 * $ECOLOGY_WORKFLOW_BUNDLE (the image's, built at `docker build`), else workflows/index.ts, bundled
 * at start-up.
 */
export function workflowSource(given: WorkflowBundleOption | undefined, env: NodeJS.ProcessEnv = process.env): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const bundle = given ?? prebuiltWorkflowBundle(env);
  return bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_PATH };
}

export async function startEcologyWorker(opts: EcologyWorkerOptions): Promise<RunningWorker> {
  const taskQueue = opts.taskQueue ?? opts.config.temporal.taskQueue;
  // Agents this worker starts (created ones, --start-agents) run on the queue it serves.
  const config: EcologyConfig = { ...opts.config, temporal: { ...opts.config.temporal, taskQueue } };
  const log = opts.logger ?? processLogger();
  // Workflow and activity code, and the SDK itself, log through the process logger (before any native connection).
  installRuntimeLogger();
  // Made here (and closed on shutdown) only when not given: the database as configured, embedded included.
  const db: Pick<Database, 'pool' | 'close'> = opts.pool ? { pool: opts.pool, close: async () => undefined } : await openDatabase(config);
  const pool = db.pool;
  let client: Client | undefined;
  let connection: NativeConnection | undefined;
  let relay: EventRelay | undefined;
  let side: SandboxSide | undefined;
  try {
    await pool.query('SELECT 1');
    // Refuses a database that is not migrated, or was migrated by other code (typed errors).
    await checkMigrations(pool);
    // The world this worker serves: it refuses (and says so) work of any other (SPEC section 11).
    const world = await readWorldId(pool);
    log.info({ world, taskQueue }, `worker of world ${world}, task queue ${taskQueue}`);
    client = await connectClient(config);
    connection = await connectWorkerConnection(config);
    side = await startSandboxSide({ connection, client, pool, config, sandbox: opts.sandbox, openai: opts.openai, hooks: opts.hooks, logger: log });
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue,
      ...workflowSource(opts.workflowBundle),
      activities: { ...createActivities({ pool, config, temporal: client, hooks: side.hooks, openai: opts.openai, invoke: side.invoke }), ...side.activities },
      shutdownGraceTime: config.agents.workerShutdownGraceMs,
      ...workerTuning(config),
    });
    relay = startEventRelay({ pool, config, temporal: client, logger: log.child({ component: 'event-relay' }) });
    await relay.ready;
    const sandboxSide = side;
    const done = Promise.all([worker.run().finally(() => sandboxSide.shutdown()), sandboxSide.run()]).then(() => undefined);
    if (opts.startAgents) {
      const ids = await startAllAgentWorkflows(pool, client, config);
      log.info({ agents: ids.length }, `${ids.length} agent workflow(s) running`);
    }
    const [c, conn, r] = [client, connection, relay];
    let closing: Promise<void> | undefined;
    const closeAll = async () => {
      await r.stop();
      await sandboxSide.close().catch(() => undefined);
      await conn.close().catch(() => undefined);
      await c.connection.close().catch(() => undefined);
      await db.close().catch(() => undefined);
    };
    const finished = done.finally(() => (closing ??= closeAll()));
    return {
      worker,
      relay,
      client,
      taskQueue,
      done: finished,
      async shutdown() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await finished.catch(() => undefined);
      },
    };
  } catch (e) {
    await relay?.stop().catch(() => undefined);
    await side?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await client?.connection.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw e;
  }
}

/** Runs a worker until SIGINT or SIGTERM, then shuts it down gracefully. */
export async function runWorkerUntilSignalled(opts: EcologyWorkerOptions): Promise<void> {
  const running = await startEcologyWorker(opts);
  const log = opts.logger ?? processLogger();
  const { address, namespace } = opts.config.temporal;
  log.info({ taskQueue: running.taskQueue, address, namespace }, `serving task queue ${running.taskQueue} on ${address} (namespace ${namespace})`);
  const stop = (sig: string) => {
    log.info({ signal: sig }, `${sig} received, shutting down gracefully`);
    void running.shutdown();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  await running.done;
  log.info('worker stopped');
}

if (require.main === module) {
  Promise.resolve()
    .then(() => setProcessLogger(loggerFromSettings()))
    .then(() => runWorkerUntilSignalled({ config: withLlmProvider(loadConfig()) }))
    .then(
      () => process.exit(0),
      (e: Error) => {
        try {
          processLogger().fatal(`worker failed: ${e.message}`);
        } catch {
          // No logger could be made (a bad ECOLOGY_LOG_LEVEL, say): the plain line.
          process.stderr.write(`ecology worker: ${e.message}\n`);
        }
        process.exit(1);
      },
    );
}
