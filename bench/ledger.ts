/**
 * Ledger throughput (issue 2): scrip transfers through the project's own dispatch, 16 concurrent
 * clients among 1,000 accounts, against the least work a transfer can be (two balance UPDATEs in
 * one transaction, no journal) measured in the same run, on the same server, database and pool.
 */
import { availableParallelism } from 'node:os';
import type { Pool } from 'pg';
import { createOperatorPrincipal } from '../src/artifacts/operator';
import { loadConfig } from '../src/config/load';
import type { EcologyConfig } from '../src/config/schema';
import { withTransaction } from '../src/db/tx';
import { bootstrapGenesis } from '../src/genesis/bootstrap';
import { dispatch } from '../src/genesis/dispatch';
import { audit } from '../src/audit/audit';
import { createPool } from '../src/db/pool';
import { serverCpu } from './support/cpu';
import { countStatements } from '../test/support/statements';
import { createBenchDatabase, serverVersion } from './support/db';
import { measureAgainst, type Measurement, type Op } from './support/measure';
import type { BenchOptions, BenchReport, Benchmark, ScenarioResult } from './support/types';

const CLIENTS = 16;
const ACCOUNTS = 1000;
const SELLER = 0;
const STARTING_SCRIP = 1_000_000_000;
/** Far more compute than a run can spend (each dispatch costs 1), so no caller ever goes into debt. */
const STARTING_COMPUTE = 1_000_000_000_000;
const TARGET_RATIO = 0.5;

const accountId = (i: number): string => `bench_p${String(i).padStart(4, '0')}`;
const randomAccount = (): number => Math.floor(Math.random() * ACCOUNTS);

/** A payer and payee, distinct; `to` fixed for the contended case. */
function pair(to?: number): [number, number] {
  const b = to ?? randomAccount();
  let a = randomAccount();
  while (a === b) a = randomAccount();
  return [a, b];
}

function benchConfig(): EcologyConfig {
  return loadConfig({
    overrides: { quotas: { operatorPrincipal: { compute_rate: 1_000_000, compute_capacity: STARTING_COMPUTE } } },
  });
}

async function createPrincipals(pool: Pool, config: EcologyConfig): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = next++; i < ACCOUNTS; i = next++) {
        await createOperatorPrincipal(pool, config, { id: accountId(i), kind: 'agent', scrip: STARTING_SCRIP, compute: STARTING_COMPUTE });
      }
    }),
  );
}

/** One transfer through dispatch; any failure aborts the benchmark (a failed op is not throughput). */
async function dispatchTransfer(pool: Pool, config: EcologyConfig, key: string, from: number, to: number): Promise<void> {
  const out = await dispatch({ pool, config }, {
    caller: accountId(from),
    artifactId: 'genesis_ledger',
    method: 'transfer',
    args: { to: accountId(to), amount: 1 },
    key,
  });
  if (!out.ok) throw new Error(`transfer ${key} failed: ${out.error.code} ${out.error.message}`);
}

/**
 * The least work a transfer can be: BEGIN, two balance UPDATEs (a prepared statement, rows in id
 * order as the ledger locks them, so opposite transfers cannot deadlock), COMMIT. It runs on a copy
 * of the accounts table so that the real ledger stays auditable.
 */
const BASELINE_UPDATE = 'UPDATE bench_accounts SET balance = balance + $2 WHERE principal_id = $1 AND asset = $3';

async function baselineTransfer(pool: Pool, from: number, to: number): Promise<void> {
  const [first, firstDelta, second, secondDelta] = from < to ? [from, -1, to, 1] : [to, 1, from, -1];
  await withTransaction(pool, async (client) => {
    await client.query({ name: 'bench_baseline_update', text: BASELINE_UPDATE, values: [accountId(first), firstDelta, 'scrip'] });
    await client.query({ name: 'bench_baseline_update', text: BASELINE_UPDATE, values: [accountId(second), secondDelta, 'scrip'] });
  });
}

/**
 * What a dispatched transfer writes, and nothing else, as one server-side call: the journal row,
 * both balances (in id order), the `transfer` event, the compute charge's claim and the bucket, and
 * the finished operation. No checks, no reads, no client logic and
 * one round trip: no implementation of the ledger's rules can do less and still write what it must,
 * so this scenario shows how much of the gap to the baseline is the writes themselves. It writes the
 * real tables consistently (a genuine transfer of 1), so the audit afterwards covers it too.
 */
const WRITES_ONLY_FUNCTION = `
CREATE FUNCTION bench_transfer_writes(k text, payer text, payee text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  entry bigint;
  event bigint;
BEGIN
  INSERT INTO journal (id, debit_principal, credit_principal, asset, amount, kind)
    VALUES (k, payer, payee, 'scrip', 1, 'transfer') RETURNING seq INTO entry;
  UPDATE accounts SET balance = balance + CASE WHEN principal_id = payer THEN -1 ELSE 1 END
    WHERE principal_id = (SELECT least(payer, payee)) AND asset = 'scrip';
  UPDATE accounts SET balance = balance + CASE WHEN principal_id = payer THEN -1 ELSE 1 END
    WHERE principal_id = (SELECT greatest(payer, payee)) AND asset = 'scrip';
  INSERT INTO events (type, actor_id, subject_id, data)
    VALUES ('transfer', payer, payee, jsonb_build_object('transfer_id', k, 'from', payer, 'to', payee, 'asset', 'scrip', 'amount', 1, 'kind', 'transfer', 'reference', null))
    RETURNING seq INTO event;
  INSERT INTO resource_effects (id, kind, payload, result)
    VALUES (k || ':compute', 'spend:compute', jsonb_build_object('id', k || ':compute', 'principal', payer, 'resource', 'compute', 'amount', 1, 'kind', 'genesis_ledger.transfer'),
            jsonb_build_object('principal', payer, 'resource', 'compute', 'available', 0, 'in_debt', false, 'recovers_at', null));
  UPDATE buckets SET balance = balance - 1, updated_at = now() WHERE principal_id = payer AND resource = 'compute';
  INSERT INTO operations (key, caller_id, artifact_id, method, args, ok, result)
    VALUES (k, payer, 'genesis_ledger', 'transfer', jsonb_build_object('to', payee, 'amount', 1), true,
            jsonb_build_object('result', jsonb_build_object('transfer_id', k, 'seq', entry, 'from', payer, 'to', payee, 'asset', 'scrip', 'amount', 1, 'replayed', false), 'compute_charged', 1));
END $$`;

async function writesOnlyTransfer(pool: Pool, key: string, from: number, to: number): Promise<void> {
  await pool.query({ name: 'bench_transfer_writes', text: 'SELECT bench_transfer_writes($1, $2, $3)', values: [key, accountId(from), accountId(to)] });
}

const ms = (n: number | undefined) => (n === undefined ? undefined : Number(n.toFixed(3)));

function cpu(prefix: '' | 'baseline_', m: Measurement): Partial<ScenarioResult> {
  const out: Record<string, number | undefined> = { [`${prefix}client_cpu_ms`]: ms(m.client_cpu_ms), [`${prefix}server_cpu_ms`]: ms(m.server_cpu_ms) };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

function result(name: string, m: Measurement, base: Measurement, seconds: number, target?: string): ScenarioResult {
  const ratio = m.ops_per_s / base.ops_per_s;
  return {
    name,
    ops_per_s: Math.round(m.ops_per_s),
    baseline_ops_per_s: Math.round(base.ops_per_s),
    ratio: Number(ratio.toFixed(3)),
    p50_ms: Number(m.p50_ms.toFixed(3)),
    p99_ms: Number(m.p99_ms.toFixed(3)),
    baseline_p50_ms: Number(base.p50_ms.toFixed(3)),
    baseline_p99_ms: Number(base.p99_ms.toFixed(3)),
    ...cpu('', m),
    ...cpu('baseline_', base),
    ops: m.ops,
    clients: CLIENTS,
    seconds,
    ...(target ? { target, target_met: ratio >= TARGET_RATIO } : {}),
  };
}

/** Where the difference goes, when the CPU figures are known: on a CPU-bound machine throughput follows CPU per transfer. */
function cpuNote(m: Measurement, base: Measurement): string {
  if (m.client_cpu_ms === undefined || m.server_cpu_ms === undefined || base.client_cpu_ms === undefined || base.server_cpu_ms === undefined) return '';
  const total = m.client_cpu_ms + m.server_cpu_ms;
  const baseTotal = base.client_cpu_ms + base.server_cpu_ms;
  return (
    `- A uniform dispatch costs ${total.toFixed(2)} ms of CPU (${m.client_cpu_ms.toFixed(2)} client, ${m.server_cpu_ms.toFixed(2)} server) against the baseline's ` +
    `${baseTotal.toFixed(2)} ms (${(total / baseTotal).toFixed(1)}x); with ${availableParallelism()} CPUs shared with other processes the run is CPU-bound, so the throughput ratio follows.`
  );
}

async function run({ seconds, log, options }: BenchOptions): Promise<BenchReport> {
  const commit = options?.commit ?? 'server';
  if (commit !== 'server' && commit !== 'durable') throw new Error(`--commit takes server or durable, not ${commit}`);
  const db = await createBenchDatabase();
  const pool = createPool(db.url, CLIENTS);
  // durable: every commit of this benchmark's sessions waits for its WAL flush, whatever the server's default.
  if (commit === 'durable') pool.on('connect', (c) => void c.query('SET synchronous_commit = on').catch(() => undefined));
  try {
    const config = benchConfig();
    log(`database ready; creating ${ACCOUNTS} principals`);
    await bootstrapGenesis(pool);
    await createPrincipals(pool, config);
    await pool.query('CREATE TABLE bench_accounts (LIKE accounts INCLUDING ALL); INSERT INTO bench_accounts SELECT * FROM accounts; ANALYZE');
    await pool.query(WRITES_ONLY_FUNCTION);
    const server = await serverVersion(pool);
    const statements = await countStatements(() => dispatchTransfer(pool, config, 'bench:count', 1, 2));
    log(`one transfer dispatch sends ${statements} statements (baseline: 4)`);

    const warmup = Math.min(2, seconds / 5);
    const show = (m: Measurement) =>
      `${m.ops_per_s.toFixed(0)} ops/s, p50 ${m.p50_ms.toFixed(2)} ms, p99 ${m.p99_ms.toFixed(2)} ms, CPU/op client ${m.client_cpu_ms?.toFixed(3)} ms server ${m.server_cpu_ms?.toFixed(3) ?? '?'} ms`;
    const scenario = async (label: string, subject: Op, baseline: Op): Promise<{ subject: Measurement; baseline: Measurement }> => {
      log(`${label}: dispatch and baseline, ${CLIENTS} clients, ${seconds}s each, interleaved (+${warmup}s warm-up)`);
      const m = await measureAgainst(CLIENTS, seconds, { subject, baseline }, warmup, serverCpu(pool));
      log(`${label}: dispatch ${show(m.subject)}; baseline ${show(m.baseline)}`);
      return m;
    };
    const { subject: uniform, baseline: uniformBase } = await scenario(
      'uniform',
      (c, i) => dispatchTransfer(pool, config, `bench:u:${c}:${i}`, ...pair()),
      () => baselineTransfer(pool, ...pair()),
    );
    const { subject: contended, baseline: contendedBase } = await scenario(
      'contended',
      (c, i) => dispatchTransfer(pool, config, `bench:c:${c}:${i}`, ...pair(SELLER)),
      () => baselineTransfer(pool, ...pair(SELLER)),
    );

    const { subject: writesOnly, baseline: writesOnlyBase } = await scenario(
      'writes only',
      (c, i) => writesOnlyTransfer(pool, `bench:w:${c}:${i}`, ...pair()),
      () => baselineTransfer(pool, ...pair()),
    );

    const report = await audit(pool);
    if (!report.ok) throw new Error(`audit failed after the run: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
    const journal = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM journal WHERE kind = 'transfer'")).rows[0].n;

    const results = [
      result('ledger.transfer.uniform', uniform, uniformBase, seconds, `ratio >= ${TARGET_RATIO}`),
      result('ledger.transfer.contended', contended, contendedBase, seconds),
      result('ledger.transfer.writes-only', writesOnly, writesOnlyBase, seconds),
    ];
    const notes = [
      `Set-up: a fresh database on the local server (${server}; ${commit === 'durable' ? 'the benchmark\'s sessions set synchronous_commit = on (--commit durable)' : 'server settings as they are; --commit durable makes every commit of both sides wait for its WAL flush'}), migrated and bootstrapped; ` +
        `${ACCOUNTS} principals made by \`createOperatorPrincipal\` with ${STARTING_SCRIP} scrip and more compute than the run can spend. ` +
        `Pool of ${CLIENTS} connections, ${CLIENTS} concurrent clients in one Node process. ` +
        `Dispatch and its baseline each run ${seconds}s, interleaved in windows of about a second (so that load from other processes falls on both alike), after ${warmup}s of unmeasured warm-up.`,
      '',
      '- **uniform**: each client loops `dispatch()` of `genesis_ledger.transfer` (amount 1, a fresh idempotency key each time) from a random account to another random account. ' +
        'Baseline: `BEGIN; UPDATE` one balance`; UPDATE` the other`; COMMIT` between random accounts (a prepared statement on a copy of the `accounts` table, rows in id order), no journal, no checks.',
      `- **contended**: every transfer pays the same seller (${accountId(SELLER)}); its baseline's second UPDATE always hits that one row.`,
      '- **writes-only** (a reference, not the ledger): one call of a PL/pgSQL function that makes exactly the row writes of a uniform dispatch (journal row, both balances, `transfer` event, compute claim and bucket, the finished operation) with no checks, no reads and no client logic. ' +
        'It bounds what any implementation of the ledger\'s rules can reach against this baseline with the same writes.',
      `- Latency is per operation as the client sees it (pool wait included). CPU per operation: the benchmark's Node process (the client: dispatch's own code, pg, socket writes) plus the server processes of its connections, from /proc.`,
      `- One transfer dispatch sends ${statements} statement${statements === 1 ? '' : 's'} to the server, counting BEGIN and COMMIT (the baseline sends 4).`,
      `- Afterwards the audit passed (${report.checks.length} checks) over ${journal} journalled transfers.`,
      cpuNote(uniform, uniformBase),
    ].join('\n');
    return { results, notes };
  } finally {
    await pool.end();
    await db.drop();
  }
}

export const ledgerBenchmark: Benchmark = {
  options: ['commit'],
  description: 'Scrip transfers through `dispatch()` (genesis_ledger.transfer) against the least work a transfer can be, both measured in the same run.',
  run,
};
