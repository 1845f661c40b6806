/**
 * Scoring failures on the real dev server: the scorer answering 500 (after the LLM client's and the
 * activity's retries) or garbage. The winner's price is refunded once, nothing is minted or shared,
 * and the audit passes. (The original Python system double-credited on this path.) Resolutions are
 * started directly with an explicit scheduled time, so each test owns its resolution.
 */
import type { Client } from '@temporalio/client';
import { resolutionInput } from '../../src/oracle/schedule';
import type { OracleResolutionSummary } from '../../src/oracle/types';
import { startFakeLlm, type FakeLlm, type FakeReply } from '../support/fakeLlm';
import { isScorerRequest, oracleTestOverrides, startOracleWorker, temporalClient, type OracleWorker } from './temporal';
import { setupOracleWorld, type OracleWorld } from './world';

let w: OracleWorld;
let fake: FakeLlm;
let worker: OracleWorker;
let client: Client;
let scorerReply: () => FakeReply;

beforeAll(async () => {
  fake = await startFakeLlm();
  fake.respond((body) => (isScorerRequest(body) ? scorerReply() : { status: 400 }));
  w = await setupOracleWorld(oracleTestOverrides(fake, { slots: 1, minBid: 1, mintRatio: 1 }));
  for (const a of ['f_a', 'f_b']) {
    await w.agent(a, 100);
    await w.tool(a, `${a}_tool`);
  }
  worker = await startOracleWorker(w.pool, w.config);
  client = await temporalClient(w.config);
});

afterAll(async () => {
  await worker?.shutdown();
  await client?.connection.close();
  await w?.close();
  await fake?.close();
});

let round = 0;
/** f_a bids 20 and f_b 8 on their tools, then one resolution runs to its end. */
async function bidAndResolve(): Promise<{ summary: OracleResolutionSummary; scheduled: string }> {
  round++;
  await w.ok('f_a', 'genesis_oracle', 'bid', { artifact_id: 'f_a_tool', amount: 20 });
  await w.ok('f_b', 'genesis_oracle', 'bid', { artifact_id: 'f_b_tool', amount: 8 });
  const scheduled = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toISOString();
  await new Promise((r) => setTimeout(r, 1000));
  const summary = await client.workflow.execute('oracleResolutionWorkflow', {
    taskQueue: w.config.temporal.taskQueue,
    workflowId: `${w.config.oracle.scheduleId}-failures-${round}`,
    args: [resolutionInput(w.config, scheduled)],
  });
  return { summary: summary as OracleResolutionSummary, scheduled };
}

async function expectRefundedOnce(summary: OracleResolutionSummary, supplyBefore: number): Promise<void> {
  const rid = summary.resolution_id;
  expect(summary.slots).toEqual([{ slot: 1, outcome: 'refunded', score: null, minted: 0, price: 8 }]);
  expect(summary.minted_total).toBe(0);
  // Both bidders are whole again; nothing was minted or shared.
  expect(await w.scrip('f_a')).toBe(100);
  expect(await w.scrip('f_b')).toBe(100);
  expect(await w.hold()).toBe(0);
  expect(await w.supply()).toBe(supplyBefore);
  expect(await w.journalIds(`oracle:${rid}:price-refund:%`)).toHaveLength(1);
  expect(await w.journalIds(`oracle:${rid}:mint:%`)).toEqual([]);
  expect(await w.journalIds(`oracle:${rid}:ubi:%`)).toEqual([]);
  const slot = await w.pool.query(`SELECT state, error FROM oracle_slots WHERE resolution_id = $1`, [rid]);
  expect(slot.rows).toHaveLength(1);
  expect(slot.rows[0].state).toBe('refunded');
  await w.expectAuditOk();
}

describe('a scorer that fails', () => {
  it('HTTP 500 on every attempt: the price is refunded once, nothing minted', async () => {
    scorerReply = () => ({ status: 500 });
    const supply = await w.supply();
    const calls = fake.calls.length;
    const { summary } = await bidAndResolve();
    await expectRefundedOnce(summary, supply);
    // The LLM client retried, and so did the activity (3 attempts), before giving up.
    const scorerCalls = fake.calls.slice(calls).filter((c) => isScorerRequest(c.body)).length;
    expect(scorerCalls).toBe(3 * (1 + w.config.llm.maxRetries));
    const error = await w.pool.query(`SELECT error FROM oracle_slots WHERE resolution_id = $1`, [summary.resolution_id]);
    expect(error.rows[0].error).toMatch(/500|unavailable/i);
  });

  it('garbage content: refunded at once (asking again under the same key would replay it)', async () => {
    scorerReply = () => ({ content: 'I would rate this a solid seven out of ten' });
    const supply = await w.supply();
    const calls = fake.calls.length;
    const { summary } = await bidAndResolve();
    await expectRefundedOnce(summary, supply);
    expect(fake.calls.slice(calls).filter((c) => isScorerRequest(c.body))).toHaveLength(1);
    const error = await w.pool.query(`SELECT error FROM oracle_slots WHERE resolution_id = $1`, [summary.resolution_id]);
    expect(error.rows[0].error).toMatch(/SCORE_INVALID/);
  });

  it('a score out of range is garbage too', async () => {
    scorerReply = () => ({ content: '{"score": 250, "reason": "off the charts"}' });
    const supply = await w.supply();
    const { summary } = await bidAndResolve();
    await expectRefundedOnce(summary, supply);
  });

  it('running a resolution again for the same scheduled time changes nothing', async () => {
    scorerReply = () => ({ content: '{"score": 70, "reason": "fine"}' });
    const { summary, scheduled } = await bidAndResolve();
    expect(summary.slots).toEqual([{ slot: 1, outcome: 'minted', score: 70, minted: 70, price: 8 }]);
    const journal = Number((await w.pool.query('SELECT count(*)::int AS n FROM journal')).rows[0].n);
    const again = await client.workflow.execute('oracleResolutionWorkflow', {
      taskQueue: w.config.temporal.taskQueue,
      workflowId: `${w.config.oracle.scheduleId}-again`,
      args: [resolutionInput(w.config, scheduled)],
    });
    expect(again).toEqual(summary);
    expect(Number((await w.pool.query('SELECT count(*)::int AS n FROM journal')).rows[0].n)).toBe(journal);
    await w.expectAuditOk();
  });
});
