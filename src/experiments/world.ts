/**
 * One arm's world, fresh and alone: its own database on the configured PostgreSQL server
 * (`<base>_exp_<name>_<arm>_<n>`), its own Temporal namespace (registered when missing) and task
 * queues, an in-process worker (workers/worker.ts, as `ecology up` runs it), the bootstrap with the
 * spec's agents, the suite's bounties, and the root workflow. Stopping asks the root to stop every
 * agent, terminates what still runs after experiments.stopTimeoutMs, removes the schedules and
 * shuts the worker down; the database stays until drop().
 */
import type { LlmClient } from '../llm/client';
import type { Pool } from 'pg';
import { adminQuery } from '../db/admin';
import { startEcologyWorker } from '../../workers/worker';
import type { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { bountyCommittedHook } from '../bountyChecks/hooks';
import { BOUNTY_DEADLINE_WORKFLOW } from '../bountyChecks/workflowInput';
import { deepMerge } from '../config/load';
import { configSchema, type EcologyConfig } from '../config/schema';
import { openDatabase } from '../db/open';
import { bootstrapWorld } from '../ecology/bootstrap';
import { startRootWorkflow } from '../ecology/root';
import { ECOLOGY_SIGNALS } from '../ecology/types';
import { EcologyError, invalid } from '../errors';
import { AGENT_SIGNALS } from '../agents/types';
import { bountyStarter } from '../temporal/bountyWorkflows';
import { connectClient } from '../temporal/connection';
import { readWorldId } from '../world/identity';
import type { RunningWorker, WorkflowBundleOption } from '../../workers/worker';
import type { Arm, ExperimentSpec } from './spec';
import type { Suite } from '../bounties/suite';
import { postSuite, type PostedSuite } from './suite';

/** PostgreSQL's longest identifier. */
const MAX_IDENTIFIER = 63;

export interface ArmNames {
  database: string;
  namespace: string;
  taskQueue: string;
}

/** Names of repeat `n` (1-based) of `arm`: database `<base>_exp_<name>_<arm>_<n>`, namespace and task queue alike. */
export function armNames(config: EcologyConfig, spec: Pick<ExperimentSpec, 'name'>, arm: Arm, n: number): ArmNames {
  const base = decodeURIComponent(new URL(config.database.url).pathname.replace(/^\//, '')) || 'ecology';
  const database = `${base}_exp_${spec.name}_${arm}_${n}`.toLowerCase();
  if (!/^[a-z0-9_]+$/.test(database) || database.length > MAX_IDENTIFIER) {
    throw invalid(`the arm's database name ${database} is not a plain identifier of at most ${MAX_IDENTIFIER} characters: choose a shorter experiment name`);
  }
  const id = `exp-${spec.name}-${arm}-${n}`;
  return { database, namespace: `${config.temporal.namespace}-${id}`, taskQueue: id };
}

function urlOf(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The arm's configuration: the loaded one, the spec's overrides, then what makes the world the arm's own. */
export function armConfig(base: EcologyConfig, spec: ExperimentSpec, arm: Arm, names: ArmNames): EcologyConfig {
  const llm = spec.llm ?? {};
  const merged = deepMerge(deepMerge(base as unknown as Record<string, unknown>, (spec.config ?? {}) as Record<string, unknown>), {
    database: { url: urlOf(base.database.url, names.database) },
    temporal: { namespace: names.namespace, taskQueue: names.taskQueue, sandboxTaskQueue: `${names.taskQueue}-sandbox` },
    world: { isolation: arm },
    llm: {
      systemBudgetMicros: Math.round(spec.budget_usd * 1_000_000),
      ...(llm.provider ? { provider: llm.provider } : {}),
      ...(llm.base_url ? { baseUrl: llm.base_url } : {}),
      ...(llm.model ? { defaultModel: llm.model } : {}),
    },
    ...(spec.quotas ? { quotas: { operatorPrincipal: spec.quotas } } : {}),
    ecology: {
      initialAgents: spec.agents.map((a) => ({ id: a.id, system_prompt: a.system_prompt, model: a.model ?? null, scrip: a.endowment.scrip, compute: a.endowment.compute })),
    },
  });
  const r = configSchema.safeParse(merged);
  if (!r.success) throw invalid(`the spec's configuration for arm ${arm} is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Registers the namespace when missing and waits until the frontend serves it. */
export async function ensureNamespace(client: Client, namespace: string, config: EcologyConfig): Promise<void> {
  const svc = client.workflowService;
  const known = await svc.describeNamespace({ namespace }).then(() => true, () => false);
  if (!known) {
    try {
      await svc.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(config.experiments.namespaceRetentionHours * 3_600_000) });
    } catch (e) {
      if (!/already exists|AlreadyExists/i.test((e as Error).message)) throw e;
    }
  }
  // The frontend learns of a new namespace at its next cache refresh (seconds after describe knows it).
  const deadline = Date.now() + config.experiments.namespaceReadyTimeoutMs;
  for (;;) {
    try {
      await svc.describeNamespace({ namespace });
      await svc.listWorkflowExecutions({ namespace, pageSize: 1 });
      await svc.listSchedules({ namespace, maximumPageSize: 1 });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new EcologyError('UNAVAILABLE', `Temporal did not make the namespace ${namespace} available: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export interface ArmWorld {
  arm: Arm;
  repeat: number;
  names: ArmNames;
  config: EcologyConfig;
  pool: Pool;
  client: Client;
  worker: RunningWorker;
  worldId: string;
  suite: PostedSuite;
  startedAt: Date;
  /** Stops the agents and the worker (idempotent); the database stays. */
  stop(): Promise<void>;
  /** Closes the pool and, unless kept, drops the database. */
  close(opts: { keep: boolean }): Promise<void>;
}

export interface OpenArmOptions {
  base: EcologyConfig;
  spec: ExperimentSpec;
  suite: Suite;
  arm: Arm;
  repeat: number;
  workflowBundle?: WorkflowBundleOption;
  openai?: LlmClient;
  log: (m: string) => void;
}

/** Stops every running workflow of the arm's namespace: the root stops its agents, the rest are asked, then terminated. */
async function stopWorkflows(client: Client, config: EcologyConfig, log: (m: string) => void): Promise<void> {
  const running = async () => {
    const found: Array<{ id: string; type: string }> = [];
    for await (const w of client.workflow.list({ query: 'ExecutionStatus="Running"' })) found.push({ id: w.workflowId, type: w.type });
    return found;
  };
  // A bounty's deadline timer sleeps until its deadline: it is not waited for, only ended.
  const busy = (ws: Array<{ type: string }>) => ws.filter((w) => w.type !== BOUNTY_DEADLINE_WORKFLOW);
  // No new resolution or metrics window starts while the arm winds down.
  for (const id of [config.oracle.scheduleId, config.metrics.scheduleId]) await client.schedule.getHandle(id).delete().catch(() => undefined);
  await client.workflow.getHandle(config.ecology.workflowId).signal(ECOLOGY_SIGNALS.shutdown, { stopAgents: true }).catch(() => undefined);
  for (const { id } of await running()) {
    if (id.startsWith('agent-')) await client.workflow.getHandle(id).signal(AGENT_SIGNALS.stop).catch(() => undefined);
  }
  const deadline = Date.now() + config.experiments.stopTimeoutMs;
  while (busy(await running()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, Math.min(500, config.experiments.pollMs)));
  for (const { id, type } of await running()) {
    if (type === BOUNTY_DEADLINE_WORKFLOW) {
      await client.workflow.getHandle(id).terminate('experiment arm over').catch(() => undefined);
      continue;
    }
    log(`${id} did not stop within ${config.experiments.stopTimeoutMs} ms: terminated`);
    await client.workflow.getHandle(id).terminate('experiment arm over').catch(() => undefined);
  }
}

export async function openArmWorld(o: OpenArmOptions): Promise<ArmWorld> {
  const names = armNames(o.base, o.spec, o.arm, o.repeat);
  const config = armConfig(o.base, o.spec, o.arm, names);
  // A world left by an earlier run of the same experiment is replaced: each arm starts fresh.
  await adminQuery(o.base.database.url, `DROP DATABASE IF EXISTS ${names.database} WITH (FORCE)`);
  await adminQuery(o.base.database.url, `CREATE DATABASE ${names.database}`);
  const db = await openDatabase(config);
  let client: Client | undefined;
  let worker: RunningWorker | undefined;
  const dropDb = async (keep: boolean) => {
    await db.close().catch(() => undefined);
    if (!keep) await adminQuery(o.base.database.url, `DROP DATABASE IF EXISTS ${names.database} WITH (FORCE)`);
  };
  try {
    const registrar = await connectClient(o.base);
    try {
      await ensureNamespace(registrar, names.namespace, config);
    } finally {
      await registrar.connection.close().catch(() => undefined);
    }
    client = await connectClient(config);
    const boot = await bootstrapWorld({ pool: db.pool, config, temporal: client });
    const starter = bountyStarter(client, config, () => readWorldId(db.pool));
    const suite = await postSuite({ pool: db.pool, config, hooks: { bountyCommitted: bountyCommittedHook(db.pool, config, starter) } }, o.suite);
    worker = await startEcologyWorker({ config, pool: db.pool, workflowBundle: o.workflowBundle, openai: o.openai });
    const startedAt = new Date();
    await startRootWorkflow(client, config, boot.worldId);
    const [c, w] = [client, worker];
    let stopping: Promise<void> | undefined;
    return {
      arm: o.arm,
      repeat: o.repeat,
      names,
      config,
      pool: db.pool,
      client: c,
      worker: w,
      worldId: await readWorldId(db.pool),
      suite,
      startedAt,
      stop: () =>
        (stopping ??= (async () => {
          try {
            await stopWorkflows(c, config, o.log);
          } finally {
            await w.shutdown();
          }
        })()),
      async close({ keep }) {
        await c.connection.close().catch(() => undefined);
        await dropDb(keep);
      },
    };
  } catch (e) {
    await worker?.shutdown().catch(() => undefined);
    await client?.connection.close().catch(() => undefined);
    await dropDb(false).catch(() => undefined);
    throw e;
  }
}
