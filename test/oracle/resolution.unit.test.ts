/**
 * oracleResolutionWorkflow's main branches on the time-skipping test server, its activities mocked
 * (plain functions recording their calls): open, score every won slot in parallel, settle with
 * every outcome (a scorer that fails all its attempts, or whose call reached another world's worker,
 * included), finish; earlier unfinished resolutions finished too; the time a run stands for. Neither
 * PostgreSQL nor the LLM is needed; the same workflow against the real services is in
 * schedule.test.ts and failures.test.ts.
 */
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OpenedResolution, ScoreOutcome, SettledResolution } from '../../src/oracle/resolution';
import type { OracleActivityOptions, OracleResolutionInput, OracleResolutionSummary } from '../../src/oracle/types';
import { startTimeSkipping, uniqueQueue, withWorkers } from '../support/timeSkipping';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows', 'oracle.ts');
const OPTIONS: OracleActivityOptions = { timeoutMs: 10_000, initialIntervalMs: 100, maximumIntervalMs: 1000, scoreTimeoutMs: 10_000, scoreHeartbeatTimeoutMs: 5_000, scoreMaximumAttempts: 3 };

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkipping();
});
afterAll(async () => {
  await env?.teardown();
});

type Scorer = (resolutionId: string, slot: number, attempt: number) => Promise<{ score: number; reason: string }>;

/** The resolution's steps as mocks over `opened` (by scheduled time; '*': any other); each call recorded as [step, input]. */
function mockOracle(opened: Record<string, Omit<OpenedResolution, 'status' | 'bid_count'>>, scorer: Scorer) {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const attempts = new Map<string, number>();
  return {
    calls,
    activities: {
      async oracleOpenResolution(input: { scheduledTime: string }): Promise<OpenedResolution> {
        calls.push(['open', input]);
        const o = opened[input.scheduledTime] ?? opened['*'];
        if (!o) throw ApplicationFailure.nonRetryable(`no resolution for ${input.scheduledTime}`, 'TEST');
        return { ...o, status: 'scoring', bid_count: o.slots.length + 1 };
      },
      async oracleScoreSlot(input: { resolutionId: string; slot: number }): Promise<{ score: number; reason: string }> {
        calls.push(['score', input]);
        const k = `${input.resolutionId}/${input.slot}`;
        attempts.set(k, (attempts.get(k) ?? 0) + 1);
        return scorer(input.resolutionId, input.slot, attempts.get(k)!);
      },
      async oracleSettleResolution(input: { resolutionId: string; outcomes: Array<{ slot: number; outcome: ScoreOutcome }> }): Promise<SettledResolution> {
        calls.push(['settle', input]);
        const slots = input.outcomes.map(({ slot, outcome }) => ({
          slot, bidder: `b${slot}`, artifact_id: `t${slot}`, price: 10, outcome: outcome.ok ? ('minted' as const) : ('refunded' as const),
          score: outcome.ok ? outcome.score : null, reason: outcome.ok ? outcome.reason : null, error: outcome.ok ? null : outcome.error, minted: outcome.ok ? outcome.score : 0,
        }));
        return { resolution_id: input.resolutionId, slots, ubi: { total: 0, agents: 0, per_agent: 0, remainder: 0 } };
      },
      async oracleFinishResolution(input: { resolutionId: string }) {
        calls.push(['finish', input]);
        return { resolution_id: input.resolutionId, minted_total: 7, ubi_total: 0, winners: 0, next_resolution_at: null };
      },
    },
  };
}

async function resolve(oracle: ReturnType<typeof mockOracle>, input: Omit<OracleResolutionInput, 'activities'>): Promise<OracleResolutionSummary> {
  const taskQueue = uniqueQueue('oracle');
  return withWorkers(env, { workflowsPath: WORKFLOWS, taskQueue, activities: oracle.activities }, () =>
    env.client.workflow.execute('oracleResolutionWorkflow', { taskQueue, workflowId: uniqueQueue('resolution'), args: [{ ...input, activities: OPTIONS }] }),
  );
}

const T = '2030-01-01T00:00:00.000Z';

test('scores every won slot, settles all outcomes at once (a scorer failing every attempt: refunded), then finishes', async () => {
  const oracle = mockOracle({ [T]: { resolution_id: 'r1', slots: [1, 2], unfinished: [] } }, async (_r, slot) => {
    if (slot === 2) throw new Error('scorer down');
    return { score: 64, reason: 'useful' };
  });
  const summary = await resolve(oracle, { scheduledTime: T, world: 'w' });
  const steps = oracle.calls.map(([n, i]) => (n === 'score' ? `score ${i.slot as number}` : n));
  expect(steps.filter((s) => s === 'score 2')).toHaveLength(OPTIONS.scoreMaximumAttempts);
  expect(steps.filter((s) => !s.startsWith('score'))).toEqual(['open', 'settle', 'finish']);
  expect(oracle.calls.find(([n]) => n === 'settle')![1]).toEqual({
    resolutionId: 'r1',
    world: 'w',
    outcomes: [
      { slot: 1, outcome: { ok: true, score: 64, reason: 'useful' } },
      { slot: 2, outcome: { ok: false, error: 'Error: scorer down' } },
    ],
  });
  expect(summary).toEqual({
    resolution_id: 'r1',
    bid_count: 3,
    slots: [
      { slot: 1, outcome: 'minted', score: 64, minted: 64, price: 10 },
      { slot: 2, outcome: 'refunded', score: null, minted: 0, price: 10 },
    ],
    minted_total: 7,
    resumed: [],
  });
});

test("a score that reached another world's worker is asked again, not refunded", async () => {
  const oracle = mockOracle({ [T]: { resolution_id: 'r1', slots: [1], unfinished: [] } }, async (_r, _slot, attempt) => {
    if (attempt === 1) throw ApplicationFailure.create({ type: 'WORLD_MISMATCH', message: 'this worker serves world b', nonRetryable: true });
    return { score: 50, reason: 'ok' };
  });
  await resolve(oracle, { scheduledTime: T });
  expect(oracle.calls.filter(([n]) => n === 'score')).toHaveLength(2);
  expect(oracle.calls.find(([n]) => n === 'settle')![1]).toMatchObject({ outcomes: [{ slot: 1, outcome: { ok: true, score: 50 } }] });
});

test('earlier resolutions left unfinished are finished after the current one, each in full', async () => {
  const earlier = '2029-12-31T23:00:00Z';
  const oracle = mockOracle(
    { [T]: { resolution_id: 'r-now', slots: [], unfinished: [earlier] }, [earlier]: { resolution_id: 'r-earlier', slots: [1], unfinished: [] } },
    async () => ({ score: 10, reason: 'late' }),
  );
  const summary = await resolve(oracle, { scheduledTime: T });
  expect(oracle.calls.map(([n, i]) => `${n} ${String(i.scheduledTime ?? i.resolutionId)}`)).toEqual([
    `open ${T}`, 'settle r-now', 'finish r-now',
    `open ${earlier}`, 'score r-earlier', 'settle r-earlier', 'finish r-earlier',
  ]);
  expect(summary).toMatchObject({ resolution_id: 'r-now', slots: [], resumed: [earlier] });
});

test('started without a scheduled time (by hand, no Schedule), it stands for its start time', async () => {
  const oracle = mockOracle({ '*': { resolution_id: 'r', slots: [], unfinished: [] } }, async () => ({ score: 1, reason: '' }));
  const taskQueue = uniqueQueue('oracle');
  const workflowId = uniqueQueue('resolution');
  await withWorkers(env, { workflowsPath: WORKFLOWS, taskQueue, activities: oracle.activities }, () =>
    env.client.workflow.execute('oracleResolutionWorkflow', { taskQueue, workflowId, args: [{ activities: OPTIONS }] }),
  );
  // The test server's clock is virtual (years ahead): the time is the run's, not this machine's.
  const started = (await env.client.workflow.getHandle(workflowId).describe()).startTime.getTime();
  const [[, open]] = oracle.calls;
  expect(Math.abs(Date.parse(open!.scheduledTime as string) - started)).toBeLessThan(1000);
});
