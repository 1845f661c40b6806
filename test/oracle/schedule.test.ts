/**
 * End to end on the real Temporal dev server: the `oracle-resolution` Schedule (here a test's own,
 * firing every 2 s) starts resolution workflows; agents bid through dispatch; a resolution mints,
 * pays UBI, emits oracle_resolved; the audit passes and the supply rises by exactly what was minted.
 */
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config/load';
import { resolutionIdFor } from '../../src/oracle/resolution';
import { ensureOracleSchedule } from '../../src/temporal/oracleSchedule';
import { eventsSince } from '../support/harness';
import { startFakeLlm, type FakeLlm } from '../support/fakeLlm';
import { isScorerRequest, oracleTestOverrides, startOracleWorker, temporalClient, waitFor, type OracleWorker } from './temporal';
import { setupOracleWorld, type OracleWorld } from './world';

let w: OracleWorld;
let fake: FakeLlm;
let worker: OracleWorker;
let client: Client;

beforeAll(async () => {
  fake = await startFakeLlm();
  fake.respond((body) => (isScorerRequest(body) ? { content: '{"score": 64, "reason": "a working adder"}' } : { status: 400 }));
  w = await setupOracleWorld(oracleTestOverrides(fake, { intervalSeconds: 2, slots: 1, minBid: 1, mintRatio: 2 }));
  for (const a of ['e2e_a', 'e2e_b', 'e2e_c']) {
    await w.agent(a, 100);
    await w.tool(a, `${a}_tool`);
  }
  worker = await startOracleWorker(w.pool, w.config);
  client = await temporalClient(w.config);
});

afterAll(async () => {
  await client?.schedule.getHandle(w.config.oracle.scheduleId).delete().catch(() => undefined);
  await worker?.shutdown();
  await client?.connection.close();
  await w?.close();
  await fake?.close();
});

describe('the oracle-resolution schedule', () => {
  it('is created idempotently and records the next resolution time', async () => {
    const first = await ensureOracleSchedule(client, w.config, { pool: w.pool });
    expect(first).toMatchObject({ scheduleId: w.config.oracle.scheduleId, action: 'created', paused: false });
    expect(first.nextResolutionAt!.getTime()).toBeGreaterThan(Date.now() - 2_000);
    const again = await ensureOracleSchedule(client, w.config, { pool: w.pool });
    expect(again.action).toBe('unchanged');
    const d = await client.schedule.getHandle(w.config.oracle.scheduleId).describe();
    expect(d.policies.overlap).toBe('SKIP');
    expect(d.spec.intervals?.[0]?.every).toBe(2_000);
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'oracleResolutionWorkflow', taskQueue: w.config.temporal.taskQueue });
    const status = await w.ok('e2e_a', 'genesis_oracle', 'status', {});
    expect(status.schedule).toEqual({ interval_seconds: 2, cron: null });
    expect(status.next_resolution_at).not.toBeNull();
  });

  it('resolves the bids placed through dispatch: mints, pays UBI, conserves scrip', async () => {
    const supplyBefore = await w.supply();
    const mark = Number((await w.pool.query('SELECT COALESCE(max(seq), 0)::int AS n FROM events')).rows[0].n);
    await w.ok('e2e_a', 'genesis_oracle', 'bid', { artifact_id: 'e2e_a_tool', amount: 30 });
    await w.ok('e2e_b', 'genesis_oracle', 'bid', { artifact_id: 'e2e_b_tool', amount: 12 });
    await w.ok('e2e_c', 'genesis_oracle', 'bid', { artifact_id: 'e2e_c_tool', amount: 9 });

    const resolved = await waitFor('a resolution that took the bids', async () => {
      const r = await w.pool.query(`SELECT id, results FROM oracle_resolutions WHERE status = 'resolved' AND bid_count > 0`);
      return r.rows[0] as { id: string; results: any } | undefined;
    });
    // Winner e2e_a paid the second price, 12; score 64 / mint ratio 2 = 32 minted; 12 shared by 3 agents.
    expect(resolved.results.winners).toEqual([
      expect.objectContaining({ bidder: 'e2e_a', artifact_id: 'e2e_a_tool', price: 12, outcome: 'minted', score: 64, minted: 32 }),
    ]);
    expect(resolved.results.ubi).toEqual({ total: 12, agents: 3, per_agent: 4, remainder: 0 });
    expect(await w.scrip('e2e_a')).toBe(100 - 12 + 32 + 4);
    expect(await w.scrip('e2e_b')).toBe(104);
    expect(await w.scrip('e2e_c')).toBe(104);
    expect(await w.hold()).toBe(0);

    // The workflow stood for its scheduled time (the Schedule's TemporalScheduledStartTime).
    expect(resolved.id).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const d = await client.schedule.getHandle(w.config.oracle.scheduleId).describe();
    expect(d.info.recentActions.map((a) => resolutionIdFor(a.scheduledAt))).toContain(resolved.id);
    const minted = await w.pool.query<{ total: number }>(`SELECT COALESCE(sum((results->>'minted_total')::int), 0)::int AS total FROM oracle_resolutions WHERE status = 'resolved'`);
    expect(minted.rows[0].total).toBe(32);
    expect(await w.supply()).toBe(supplyBefore + 32);

    const events = await eventsSince(w.pool, mark, ['oracle_resolved']);
    expect(events.filter((e) => e.data.resolution_id === resolved.id)).toHaveLength(1);
    const history = await w.ok('e2e_b', 'genesis_oracle', 'history', { limit: 50 });
    expect(history.find((h: any) => h.resolution_id === resolved.id)).toMatchObject({ minted_total: 32 });
    // The scorer was asked with structured output and the artifact's code, paid by the system.
    const scorerCalls = fake.calls.filter((c) => isScorerRequest(c.body));
    expect(scorerCalls).toHaveLength(1);
    expect(scorerCalls[0].body.messages[1].content).toContain('export function run');
    const llm = await w.pool.query(`SELECT payer_id, status, purpose FROM llm_calls WHERE key LIKE 'oracle:%'`);
    expect(llm.rows).toEqual([{ payer_id: null, status: 'succeeded', purpose: 'oracle_score' }]);
    await w.expectAuditOk();
  });

  it('updates the schedule when the configuration changes', async () => {
    const changed = loadConfig({ overrides: { ...structuredClone(w.config), oracle: { ...w.config.oracle, intervalSeconds: 3600 } } });
    const r = await ensureOracleSchedule(client, changed, { pool: w.pool });
    expect(r.action).toBe('updated');
    const d = await client.schedule.getHandle(w.config.oracle.scheduleId).describe();
    expect(d.spec.intervals?.[0]?.every).toBe(3_600_000);
    const disabled = await ensureOracleSchedule(client, { ...changed, oracle: { ...changed.oracle, enabled: false } }, { pool: w.pool });
    expect(disabled).toMatchObject({ action: 'updated', paused: true, nextResolutionAt: null });
    await w.expectAuditOk();
  });
});
