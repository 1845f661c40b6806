/**
 * A world for the agent tests: a fresh database with the genesis artifacts, the fake LLM, a
 * Temporal client, and (unless asked not to) an in-process worker with the real workflows on a
 * task queue of its own. Agent ids carry a random prefix: the dev server is shared.
 *
 *   const w = await startAgentWorld({ agents: { maxIterationsPerRun: 3 } });
 *   const a = await w.agent('alice', { scrip: 100 });
 *   w.script(a, ['{"action":"noop"}', ...]);        // reply to iteration n with item n
 *   await w.start(a);
 *   await w.waitFor('alice thought twice', async () => (await w.actions(a)).length >= 2);
 */
import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Pool } from 'pg';
import type { ActionRow } from '../../../src/agents/queries';
import { agentWorkflowId, type AgentState } from '../../../src/agents/types';
import { createOperatorPrincipal } from '../../../src/artifacts/operator';
import { deepMerge, loadConfig } from '../../../src/config/load';
import type { EcologyConfig } from '../../../src/config/schema';
import { bootstrapGenesis } from '../../../src/genesis/bootstrap';
import { dispatch, type Outcome } from '../../../src/genesis/dispatch';
import { audit } from '../../../src/audit/audit';
import { startAgentWorkflow } from '../../../src/temporal/agentWorkflows';
import { connectClient } from '../../../src/temporal/connection';
import { readWorldId } from '../../../src/world/identity';
import { startEcologyWorker, type RunningWorker } from '../../../workers/worker';
import { fakeLlmOverrides, startFakeLlm, type FakeLlm, type FakeReply, type RecordedRequest } from '../../support/fakeLlm';
import { createTestDatabase, type TestDatabase } from '../../support/testDb';
import { workflowBundle } from './bundle';
import { createLogger, setProcessLogger, silentLogger } from '../../../src/log/logger';
import { installRuntimeLogger } from '../../../src/temporal/runtimeLog';
import { stateQuery } from '../../../src/agents/signals';

// The SDK's lines, those of workflow and activity code included, go to the process logger: warnings and worse.
installRuntimeLogger();
setProcessLogger(createLogger({ level: 'warn' }));

/** What an agent answers at iteration n: JSON text, a fake reply, or a function of the request. */
export type ScriptItem = string | FakeReply | ((req: { iteration: number; prompt: string }) => FakeReply | Promise<FakeReply>);

/** When a script runs out: a long sleep, so an agent settles instead of burning money. */
export const SETTLE = '{"action":"sleep","seconds":3600}';

/** Test-friendly settings: generous rights, quick retries, a quick relay sweep. */
export function testOverrides(): Record<string, unknown> {
  return {
    quotas: {
      operatorPrincipal: {
        compute_rate: 1000,
        compute_capacity: 100000,
        llm_token_rate: 1000000,
        llm_token_capacity: 10000000,
        disk_bytes: 1048576,
        llm_dollars: 1000000000,
      },
    },
    agents: {
      errorBackoffSeconds: 1,
      minRecheckMs: 50,
      workerShutdownGraceMs: 500,
      activities: { thinkHeartbeatTimeoutMs: 5000, initialIntervalMs: 200, maximumIntervalMs: 2000, maximumAttempts: 5 },
      relay: { sweepMs: 500, reconnectMs: 200 },
    },
  };
}

export interface AgentWorld {
  db: TestDatabase;
  pool: Pool;
  config: EcologyConfig;
  fake: FakeLlm;
  client: Client;
  worker: RunningWorker | undefined;
  taskQueue: string;
  prefix: string;
  /** A unique principal id for `name`. */
  id(name: string): string;
  agent(name: string, opts?: { scrip?: number; compute?: number; content?: unknown }): Promise<string>;
  account(name: string, opts?: { scrip?: number; compute?: number }): Promise<string>;
  script(agentId: string, items: ScriptItem[], then?: ScriptItem): void;
  start(agentId: string): Promise<WorkflowHandle>;
  handle(agentId: string): WorkflowHandle;
  state(agentId: string): Promise<AgentState>;
  /** Requests the fake LLM received for this agent. */
  calls(agentId: string): RecordedRequest[];
  actions(agentId: string): Promise<ActionRow[]>;
  call(caller: string, artifactId: string, method: string, args?: unknown): Promise<Outcome>;
  scrip(id: string): Promise<number>;
  /** Polls until `check` returns a truthy value (returned); fails after `timeoutMs` naming `what`. */
  waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
  expectAuditOk(): Promise<void>;
  /** States and recorded actions of the agents started, for failure messages. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

export function promptOf(req: RecordedRequest): string {
  return req.body.messages.map((m) => m.content).join('\n');
}

function lineValue(prompt: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.+)$`, 'm').exec(prompt)?.[1];
}

export async function startAgentWorld(overrides: Record<string, unknown> = {}, opts: { worker?: boolean } = {}): Promise<AgentWorld> {
  const prefix = randomBytes(3).toString('hex');
  const taskQueue = `agents-test-${prefix}`;
  const db = await createTestDatabase();
  await bootstrapGenesis(db.pool);
  const fake = await startFakeLlm();
  const config = loadConfig({
    env: {},
    overrides: deepMerge(deepMerge({ database: { url: db.url }, temporal: { taskQueue, sandboxTaskQueue: `${taskQueue}-sandbox` }, ...fakeLlmOverrides(fake) }, testOverrides()), overrides),
  });
  const client = await connectClient(config);
  const bundle = await workflowBundle();
  const worker = opts.worker === false ? undefined : await startEcologyWorker({ config, pool: db.pool, workflowBundle: { code: bundle.code }, logger: silentLogger() });

  const scripts = new Map<string, { items: ScriptItem[]; then: ScriptItem }>();
  fake.respond(async (body) => {
    const prompt = body.messages.map((m) => m.content).join('\n');
    const agent = lineValue(prompt, 'Agent');
    const iteration = Number(lineValue(prompt, 'Iteration') ?? -1);
    const s = agent ? scripts.get(agent) : undefined;
    const item = s ? (s.items[iteration] ?? s.then) : SETTLE;
    if (typeof item === 'string') return { content: item };
    if (typeof item === 'function') return item({ iteration, prompt });
    return item;
  });

  const started = new Set<string>();
  const w: AgentWorld = {
    db,
    pool: db.pool,
    config,
    fake,
    client,
    worker,
    taskQueue,
    prefix,
    id: (name) => `t${prefix}_${name}`,
    async agent(name, o = {}) {
      const id = w.id(name);
      await createOperatorPrincipal(db.pool, config, { id, kind: 'agent', scrip: o.scrip ?? 0, compute: o.compute ?? 10000, content: o.content ?? {} });
      return id;
    },
    async account(name, o = {}) {
      const id = w.id(name);
      await createOperatorPrincipal(db.pool, config, { id, kind: 'account', scrip: o.scrip ?? 0, compute: o.compute ?? 0 });
      return id;
    },
    script(agentId, items, then = SETTLE) {
      scripts.set(agentId, { items, then });
    },
    async start(agentId) {
      started.add(agentId);
      await startAgentWorkflow(client, config, agentId, await readWorldId(db.pool));
      return w.handle(agentId);
    },
    handle: (agentId) => client.workflow.getHandle(agentWorkflowId(agentId)),
    state: (agentId) => w.handle(agentId).query(stateQuery),
    calls: (agentId) => fake.calls.filter((c) => lineValue(promptOf(c), 'Agent') === agentId),
    async actions(agentId) {
      return (await db.pool.query<ActionRow>('SELECT * FROM agent_actions WHERE agent_id = $1 ORDER BY iteration', [agentId])).rows;
    },
    call: (caller, artifactId, method, args) => dispatch({ pool: db.pool, config }, { caller, artifactId, method, args, key: `test:${randomBytes(8).toString('hex')}` }),
    async scrip(id) {
      return (await db.pool.query<{ balance: number }>(`SELECT balance FROM accounts WHERE principal_id = $1 AND asset = 'scrip'`, [id])).rows[0]?.balance ?? 0;
    },
    async waitFor(what, check, timeoutMs = 30000) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          const v = await check();
          if (v) return v;
          last = v;
        } catch (e) {
          last = e;
        }
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})\n${await w.dump()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async dump() {
      const lines: string[] = [];
      for (const id of started) {
        const state = await w.state(id).catch((e: Error) => `(no state: ${e.message})`);
        const acts = (await w.actions(id).catch(() => [])).map((r) => `  #${r.iteration} ${r.status} ${r.summary ?? ''} ${r.error ? JSON.stringify(r.error) : ''}`);
        lines.push(`${id}: ${JSON.stringify(state)}`, ...acts);
      }
      return lines.join('\n');
    },
    async expectAuditOk() {
      const report = await audit(db.pool);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    },
    async close() {
      await Promise.all([...started].map((id) => w.handle(id).terminate('test over').catch(() => undefined)));
      await fake.close();
      await worker?.shutdown();
      await client.connection.close().catch(() => undefined);
      await db.drop();
    },
  };
  return w;
}
