/**
 * Replay: the histories under test/histories/ were recorded from real runs of agentWorkflow
 * (test/histories/record.ts). The current workflow code must replay every one of them without a
 * determinism error; a deliberately reordered workflow must fail, proving the check can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowBundle } from './support/bundle';
import './support/harness'; // quiet runtime logger

const DIR = join(__dirname, '..', 'histories');
const histories = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(join(DIR, f), 'utf8'))) }));

test('the recorded histories cover the loop and its waits', () => {
  expect(histories.map((h) => h.workflowId)).toEqual(expect.arrayContaining(['agent-life', 'agent-debt', 'agent-budget', 'agent-continued-run1']));
  const signals = new Set(histories.flatMap((h) => h.history.events!.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean)));
  for (const s of ['wake', 'pause', 'resume', 'stop', 'configChanged', 'event', 'balanceChanged']) expect(signals).toContain(s);
  const ends = histories.map((h) => h.history.events!.at(-1)!);
  expect(ends.some((e) => e.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);
});

test('histories from before the local-steps patch are kept beside ones recorded after it', () => {
  const markers = (id: string) => histories.find((h) => h.workflowId === id)!.history.events!.filter((e) => e.markerRecordedEventAttributes).length;
  // before: readiness and act were ordinary activities; after: local activities (markers)
  expect(markers('pre-local-agent-life')).toBe(0);
  expect(markers('agent-life')).toBeGreaterThan(0);
});

test('a run that continued as new in the middle of a sleep is kept: its marker, and the sleep carried to the next run', () => {
  const events = (id: string) => histories.find((h) => h.workflowId === id)!.history.events!;
  const markers = (id: string) => events(id).map((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data).filter(Boolean).map((d) => Buffer.from(d!).toString());
  const run1 = events('agent-flooded-run1');
  expect(run1.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  expect(markers('agent-flooded-run1').join()).toContain('continue-as-new-in-waits');
  expect(markers('agent-life').join()).not.toContain('continue-as-new-in-waits'); // recorded before the patch
  const input = events('agent-flooded-run2')[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!;
  expect(JSON.parse(Buffer.from(input).toString())).toMatchObject({ iteration: 1, sleeping: { plan: { kind: 'predicate' }, deadline: expect.any(Number) } });
});

test('histories recorded after the world id and the patch record-agent-end record the end in the agent\'s world', () => {
  const scheduled = (id: string) =>
    histories.find((h) => h.workflowId === id)!.history.events!.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
  for (const id of ['agent-world-stop', 'agent-world-missing']) expect(scheduled(id)).toContain('agentStopped');
  expect(scheduled('agent-life')).not.toContain('agentStopped');
});

test('the market histories hold a birth by an agent\'s action with an endowment, and a rights trade between agents', () => {
  const events = (id: string) => histories.find((h) => h.workflowId === id)!.history.events!;
  /** The results of the local activities (readiness, act) recorded in markers, in order. */
  const results = (id: string) =>
    events(id)
      .map((e) => e.markerRecordedEventAttributes?.details?.result?.payloads?.[0]?.data)
      .filter(Boolean)
      .map((d) => JSON.parse(Buffer.from(d!).toString()) as { ok?: boolean; summary?: string; balances?: { scrip: number } });
  const acts = (id: string) => results(id).filter((r) => r.summary !== undefined).map((r) => r.summary);
  const input = events('agent-market-child')[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!;
  const child = (JSON.parse(Buffer.from(input).toString()) as { agentId: string }).agentId;
  expect(acts('agent-market-parent')[0]).toBe(`write_artifact ${child} (agent) -> ok`);
  // the child's own workflow ran: it started with its endowment, thought, and acted
  expect(results('agent-market-child')[0]).toMatchObject({ balances: { scrip: 7 } });
  expect(events('agent-market-child').some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'agentThink')).toBe(true);
  expect(acts('agent-market-child')[0]).toMatch(/^invoke_artifact genesis_escrow\.offer_right .*"resource":"llm_token_rate".* -> ok$/);
  expect(acts('agent-market-buyer')[0]).toMatch(/^invoke_artifact genesis_escrow\.buy_right \{"offer_id":\d+\} -> ok$/);
});

test('every recorded history replays against the current workflow code', async () => {
  const { code } = await workflowBundle();
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) results.push({ id: r.workflowId, error: r.error?.message });
  expect(results).toEqual(histories.map((h) => ({ id: h.workflowId, error: undefined })));
});

test('a workflow that issues its activities in another order fails replay with a determinism error', async () => {
  const { code } = await workflowBundle(join(__dirname, 'support', 'reorderedWorkflow.ts'));
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) results.push(r);
  expect(results).toHaveLength(histories.length);
  for (const r of results) {
    expect(r.error).toBeInstanceOf(DeterminismViolationError);
    expect(r.error!.message).toMatch(/[Nn]ondeterminism/);
  }
});
