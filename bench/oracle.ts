/**
 * Oracle resolution (issue 5): one resolution of 10,000 open bids, end to end on the Temporal dev
 * server (the real workflow and activities, an in-process worker) with an instant scorer (a local
 * fake LLM), and the share of that time spent in the database. K from the configuration, plus K=10.
 */
import { performance } from 'node:perf_hooks';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Client as PgClient, type Pool } from 'pg';
import { createOracleActivities } from '../activities/oracle';
import { deepMerge, loadConfig } from '../src/config/load';
import type { EcologyConfig } from '../src/config/schema';
import { withTransaction } from '../src/db/tx';
import { createPool } from '../src/db/pool';
import { bootstrapGenesis } from '../src/genesis/bootstrap';
import { SCRIP, SYSTEM_ACCOUNTS } from '../src/ids';
import { audit } from '../src/audit/audit';
import { bulkTransfer } from '../src/ledger/bulk';
import { resolutionInput } from '../src/oracle/schedule';
import type { OracleResolutionSummary } from '../src/oracle/types';
import { fakeLlmOverrides, startFakeLlm } from '../test/support/fakeLlm';
import { createBenchDatabase, serverVersion } from './support/db';
import { quantile } from './support/measure';
import type { BenchOptions, BenchReport, Benchmark, ScenarioResult } from './support/types';

const BIDS = 10_000;
const AGENTS = 1_000;
const TOOLS_PER_AGENT = BIDS / AGENTS;
const RUNS = 3;
const TARGET_MS = 2_000;

const agentId = (i: number) => `bo_agent_${String(i).padStart(4, '0')}`;

/**
 * Wall time during which at least one statement from this process was at PostgreSQL (overlapping
 * statements counted once), so that it is a share of the elapsed time.
 */
class DbClock {
  totalMs = 0;
  private inFlight = 0;
  private since = 0;
  private original = PgClient.prototype.query;

  private begin(): void {
    if (this.inFlight++ === 0) this.since = performance.now();
  }

  private end(): void {
    if (--this.inFlight === 0) this.totalMs += performance.now() - this.since;
  }

  install(): void {
    const begin = () => this.begin();
    const end = () => this.end();
    const original = this.original;
    PgClient.prototype.query = function (this: PgClient, ...args: unknown[]) {
      begin();
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (...cb: unknown[]) => {
          end();
          return (last as (...a: unknown[]) => unknown)(...cb);
        };
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      }
      const out = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (out && typeof (out as Promise<unknown>).then === 'function') return (out as Promise<unknown>).finally(end);
      end();
      return out;
    } as typeof PgClient.prototype.query;
  }

  uninstall(): void {
    PgClient.prototype.query = this.original;
  }
}

/** 1,000 agents, each owning 10 executable tools and 1,000,000 scrip; set-based, not through dispatch. */
async function createWorld(pool: Pool): Promise<void> {
  await bootstrapGenesis(pool);
  await pool.query(
    `INSERT INTO artifacts (id, type, content, owner_id, access_contract_id, has_standing, can_execute, size_bytes)
     SELECT 'bo_agent_' || lpad(i::text, 4, '0'), 'agent', '{}', 'bo_agent_' || lpad(i::text, 4, '0'), 'genesis_self_owned', true, true, 2
     FROM generate_series(0, $1 - 1) AS i`,
    [AGENTS],
  );
  await pool.query(`INSERT INTO accounts (principal_id, asset) SELECT id, 'scrip' FROM artifacts WHERE id LIKE 'bo_agent_%'`);
  await pool.query(
    `INSERT INTO buckets (principal_id, resource) SELECT id, r FROM artifacts, unnest(ARRAY['compute', 'llm_tokens']) AS r WHERE id LIKE 'bo_agent_%'`,
  );
  await pool.query(
    `INSERT INTO artifacts (id, type, content, code, owner_id, access_contract_id, can_execute, size_bytes)
     SELECT 'bo_agent_' || lpad(a::text, 4, '0') || '_tool' || t, 'tool', '{"doc": "adds two numbers"}',
            'export function run(args) { return args.a + args.b; }', 'bo_agent_' || lpad(a::text, 4, '0'), 'genesis_owner_only', true, 80
     FROM generate_series(0, $1 - 1) AS a, generate_series(0, $2 - 1) AS t`,
    [AGENTS, TOOLS_PER_AGENT],
  );
  await withTransaction(pool, (c) =>
    bulkTransfer(c, SCRIP, Array.from({ length: AGENTS }, (_, i) => ({ id: `bench:issue:${agentId(i)}`, from: SYSTEM_ACCOUNTS.mint, to: agentId(i), amount: 1_000_000, kind: 'issuance' }))),
  );
  await pool.query('ANALYZE');
}

/** 10,000 open bids (one per tool, amounts 1-1000 with ties), placed a second ago, their holds taken. */
async function placeBids(pool: Pool, run: string): Promise<void> {
  await withTransaction(pool, async (c) => {
    const r = await c.query<{ id: number; bidder_id: string; amount: number }>(
      `INSERT INTO oracle_bids (bidder_id, artifact_id, amount, held, status, placed_at)
       SELECT owner_id, id, 1 + (abs(hashtext(id || $1)) % 1000), 1 + (abs(hashtext(id || $1)) % 1000), 'open', now() - interval '1 second'
       FROM artifacts WHERE id LIKE 'bo_agent_%_tool%'
       RETURNING id, bidder_id, amount`,
      [run],
    );
    await bulkTransfer(c, SCRIP, r.rows.map((b) => ({ id: `bench:${run}:bid:${b.id}`, from: b.bidder_id, to: SYSTEM_ACCOUNTS.oracleHold, amount: b.amount, kind: 'oracle_bid' })));
  });
}

interface RunFigures {
  totalMs: number;
  dbMs: number;
  steps: Record<string, number>;
  summary: OracleResolutionSummary;
}

/** The activities, each timed (wall time of its calls, summed per name). */
function timedActivities(pool: Pool, config: EcologyConfig, steps: Record<string, number>) {
  const acts = createOracleActivities({ pool, config }) as Record<string, (...a: unknown[]) => Promise<unknown>>;
  return Object.fromEntries(
    Object.entries(acts).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        const t = performance.now();
        try {
          return await fn(...args);
        } finally {
          steps[name] = (steps[name] ?? 0) + performance.now() - t;
        }
      },
    ]),
  );
}

async function scenario(name: string, slots: number, base: { url: string; pool: Pool; fakeUrl: string; temporal: TemporalClient }, log: (l: string) => void): Promise<{ result: ScenarioResult; runs: RunFigures[]; config: EcologyConfig }> {
  const taskQueue = `bench-oracle-${process.pid}-${slots}`;
  const config = loadConfig({
    overrides: deepMerge(fakeLlmOverrides({ baseUrl: base.fakeUrl }, { systemBudgetMicros: 1_000_000_000 }), {
      database: { url: base.url },
      temporal: { taskQueue },
      oracle: { slots, scheduleId: `bench-oracle-${process.pid}` },
    }),
  });
  const steps: Record<string, number> = {};
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowsPath: require.resolve('../workflows/oracle'),
    activities: timedActivities(base.pool, config, steps),
  });
  const running = worker.run();
  const clock = new DbClock();
  const runs: RunFigures[] = [];
  try {
    for (let i = 0; i <= RUNS; i++) {
      const label = `${name}-${i}`;
      await placeBids(base.pool, label);
      const scheduled = new Date().toISOString();
      for (const k of Object.keys(steps)) delete steps[k];
      clock.totalMs = 0;
      clock.install();
      const started = performance.now();
      const summary = (await base.temporal.workflow.execute('oracleResolutionWorkflow', {
        taskQueue,
        workflowId: `bench-oracle-${process.pid}-${label}`,
        args: [resolutionInput(config, scheduled)],
      })) as OracleResolutionSummary;
      const totalMs = performance.now() - started;
      clock.uninstall();
      if (summary.bid_count !== BIDS) throw new Error(`the resolution took ${summary.bid_count} bids, expected ${BIDS}`);
      if (summary.slots.some((s) => s.outcome !== 'minted')) throw new Error(`a slot was not minted: ${JSON.stringify(summary.slots)}`);
      // The first run warms the worker, the plans and the caches: not measured.
      if (i === 0) {
        log(`${name}: warm-up resolution ${totalMs.toFixed(0)} ms`);
        continue;
      }
      runs.push({ totalMs, dbMs: clock.totalMs, steps: { ...steps }, summary });
      log(`${name}: ${totalMs.toFixed(0)} ms (db ${clock.totalMs.toFixed(0)} ms) ${JSON.stringify(Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(v)])))}`);
    }
  } finally {
    clock.uninstall();
    worker.shutdown();
    await running;
    await connection.close();
  }
  const times = runs.map((r) => r.totalMs).sort((a, b) => a - b);
  const p50 = quantile(times, 0.5);
  return {
    runs,
    config,
    result: {
      name,
      ops_per_s: Math.round(BIDS / (p50 / 1000)),
      p50_ms: Number(p50.toFixed(1)),
      p99_ms: Number(times[times.length - 1].toFixed(1)),
      ops: runs.length,
      target: `p50 < ${TARGET_MS} ms`,
      target_met: p50 < TARGET_MS,
    },
  };
}

async function run({ log }: BenchOptions): Promise<BenchReport> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed
  }
  const db = await createBenchDatabase();
  const pool = createPool(db.url, 20);
  const fake = await startFakeLlm({ responder: () => ({ content: '{"score": 57, "reason": "instant"}' }) });
  const defaults = loadConfig();
  const connection = await Connection.connect({ address: defaults.temporal.address });
  const temporal = new TemporalClient({ connection, namespace: defaults.temporal.namespace });
  try {
    log(`creating ${AGENTS} agents owning ${BIDS} tools`);
    await createWorld(pool);
    const server = await serverVersion(pool);
    const base = { url: db.url, pool, fakeUrl: fake.baseUrl, temporal };
    const configured = await scenario(`oracle.resolve.10k.k${defaults.oracle.slots}`, defaults.oracle.slots, base, log);
    const wide = await scenario('oracle.resolve.10k.k10', 10, base, log);

    const report = await audit(pool);
    if (!report.ok) throw new Error(`audit failed after the run: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);

    const describe = (s: typeof configured) => {
      const n = s.runs.length;
      const avg = (f: (r: RunFigures) => number) => s.runs.reduce((a, r) => a + f(r), 0) / n;
      const step = (k: string) => avg((r) => r.steps[k] ?? 0).toFixed(0);
      const total = avg((r) => r.totalMs);
      const dbShare = (100 * avg((r) => r.dbMs)) / total;
      return (
        `- **${s.result.name}** (K=${s.config.oracle.slots}, ${n} measured runs after one warm-up): mean ${total.toFixed(0)} ms, ` +
        `of which **${dbShare.toFixed(0)}% in the database** (wall time with at least one statement of this process at PostgreSQL). Mean per step: ` +
        `open ${step('oracleOpenResolution')} ms (rank ${BIDS} bids, record them, refund ${BIDS - s.config.oracle.slots} losers and the winners' excess, set-based), ` +
        `score ${step('oracleScoreSlot')} ms (summed over the ${s.config.oracle.slots} parallel scorer calls), ` +
        `settle ${step('oracleSettleResolution')} ms (mint for each slot, one UBI transfer to each of ${AGENTS} agents), ` +
        `finish ${step('oracleFinishResolution')} ms; the rest is Temporal (workflow and activity tasks on the dev server).`
      );
    };
    const notes = [
      `Set-up: a fresh database on the local server (${server}); ${AGENTS} agents each owning ${TOOLS_PER_AGENT} executable tools, ` +
        `created set-based. Before every run, ${BIDS} open bids (one per tool, amounts 1-1000 with many ties) are inserted with their holds ` +
        `(not measured). A run is \`oracleResolutionWorkflow\` started with \`client.workflow.execute\` on the local Temporal dev server and ` +
        `served by an in-process worker, until its result arrives; the scorer is a local fake OpenAI-compatible server answering at once ` +
        `(the LLM call still goes through \`callLlm\`: budget reservation, rate limit, settlement). ops/s = bids resolved per second at p50; p99 column = slowest run.`,
      '',
      describe(configured),
      describe(wide),
      `- Afterwards the audit passed (${report.checks.length} checks, including \`oracle_hold_matches_bids\`).`,
    ].join('\n');
    return { results: [configured.result, wide.result], notes };
  } finally {
    await connection.close();
    await fake.close();
    await pool.end();
    await db.drop();
  }
}

export const oracleBenchmark: Benchmark = {
  description: 'One oracle resolution of 10,000 open bids (rank, refunds, scoring, minting, UBI) through the real workflow on Temporal, with an instant scorer.',
  run,
};
