/**
 * A worker killed (SIGKILL) in the middle of a resolution, while the scorer's request is in
 * flight: another worker takes over, and the resolution has one outcome, applied once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { resolutionInput } from '../../src/oracle/schedule';
import type { OracleResolutionSummary } from '../../src/oracle/types';
import { workflowBundle } from '../agents/support/bundle';
import { startFakeLlm, type FakeLlm } from '../support/fakeLlm';
import { isScorerRequest, ORACLE_WORKFLOWS, oracleTestOverrides, startOracleWorker, temporalClient, waitFor, type OracleWorker } from './temporal';
import { setupOracleWorld, type OracleWorld } from './world';

let w: OracleWorld;
let fake: FakeLlm;
let client: Client;
let child: ChildProcess | undefined;
let worker: OracleWorker | undefined;
const AGENTS = ['k_a', 'k_b', 'k_c', 'k_d'];

/** Starts the child worker and resolves when it polls. */
async function startChildWorker(): Promise<ChildProcess> {
  const { file } = await workflowBundle(ORACLE_WORKFLOWS);
  const p = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'workerProcess.ts')], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, ORACLE_TEST_CONFIG: JSON.stringify(w.config), ORACLE_WORKFLOW_BUNDLE: file },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    p.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    p.once('exit', (code) => reject(new Error(`child worker exited (${code}) before it was ready: ${stderr}`)));
  });
  return p;
}

beforeAll(async () => {
  fake = await startFakeLlm();
  w = await setupOracleWorld(oracleTestOverrides(fake, { slots: 2, minBid: 1, mintRatio: 1 }));
  for (const a of AGENTS) {
    await w.agent(a, 100);
    await w.tool(a, `${a}_tool`);
  }
  client = await temporalClient(w.config);
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await worker?.shutdown();
  await client?.connection.close();
  await w?.close();
  await fake?.close();
});

it('one outcome, applied once, when the worker dies while the scorer is asked', async () => {
  // The first scorer request hangs (the worker will die waiting); later ones answer.
  let scorerRequests = 0;
  fake.respond((body) => {
    if (!isScorerRequest(body)) return { status: 400 };
    scorerRequests++;
    return scorerRequests === 1 ? { hang: true } : { content: '{"score": 41, "reason": "solid"}' };
  });
  child = await startChildWorker();

  const amounts = [40, 30, 25, 10];
  for (const [i, a] of AGENTS.entries()) await w.ok(a, 'genesis_oracle', 'bid', { artifact_id: `${a}_tool`, amount: amounts[i] });
  const supply = await w.supply();
  const scheduled = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toISOString();
  await new Promise((r) => setTimeout(r, 1000));
  const handle = await client.workflow.start('oracleResolutionWorkflow', {
    taskQueue: w.config.temporal.taskQueue,
    workflowId: `${w.config.oracle.scheduleId}-kill`,
    args: [resolutionInput(w.config, scheduled)],
  });

  // Kill the worker once a scorer request is hanging (the losers are refunded by then).
  await waitFor('a hanging scorer request', async () => scorerRequests >= 1);
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));
  expect(await w.scrip('k_c')).toBe(100);

  worker = await startOracleWorker(w.pool, w.config);
  const summary = (await handle.result()) as OracleResolutionSummary;
  const rid = summary.resolution_id;

  // Slots 1 and 2 (k_a, k_b) pay the highest losing bid, 25; both score 41; 2 x 25 is shared by 4 agents.
  expect(summary.slots).toEqual([
    { slot: 1, outcome: 'minted', score: 41, minted: 41, price: 25 },
    { slot: 2, outcome: 'minted', score: 41, minted: 41, price: 25 },
  ]);
  expect(await w.supply()).toBe(supply + 82);
  const ubi = Math.floor((2 * 25) / 4); // 12 each, the remainder 2 to the treasury
  expect(await w.scrip('k_a')).toBe(100 - 25 + 41 + ubi);
  expect(await w.scrip('k_b')).toBe(100 - 25 + 41 + ubi);
  expect(await w.scrip('k_c')).toBe(100 + ubi);
  expect(await w.scrip('k_d')).toBe(100 + ubi);
  expect(await w.scrip('treasury')).toBe(2);
  expect(await w.hold()).toBe(0);

  // The journal: each step of the resolution once.
  const ids = await w.journalIds(`oracle:${rid}:%`);
  expect(ids.filter((id) => id.includes(':mint:'))).toHaveLength(2);
  expect(ids.filter((id) => id.includes(':ubi'))).toHaveLength(4 + 1);
  expect(ids.filter((id) => id.includes(':refund:'))).toHaveLength(2);
  expect(ids.filter((id) => id.includes(':excess:'))).toHaveLength(2);
  expect(ids.filter((id) => id.includes(':price-refund:'))).toHaveLength(0);
  expect(new Set(ids).size).toBe(ids.length);
  // The scorer: each slot's key succeeded once. Requests: the hung one, its retry, the other slot's,
  // and that one again if the worker died after its answer arrived but before it was recorded.
  const llm = await w.pool.query(`SELECT key, status, attempts FROM llm_calls WHERE key LIKE 'oracle:%' ORDER BY key`);
  expect(llm.rows.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  expect([3, 4]).toContain(scorerRequests);
  const resolved = await w.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'oracle_resolved' AND data->>'resolution_id' = $1`, [rid]);
  expect(resolved.rows[0].n).toBe(1);
  await w.expectAuditOk();
});
