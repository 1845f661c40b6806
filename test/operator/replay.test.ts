/**
 * Replay of ecologyWorkflow: test/histories/ecology/ holds the runs of a real root (recorded by
 * test/histories/recordEcology.ts: bootstrap, children, spawns paid and refused, continue-as-new,
 * shutdown stopping the agents). The current workflow code must replay each without a determinism
 * error, so a change to the root's order of commands is caught before it breaks running worlds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../agents/support/bundle';
import '../agents/support/harness'; // quiet runtime logger

const DIR = join(__dirname, '..', 'histories', 'ecology');
const histories = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(join(DIR, f), 'utf8'))) }));

test('the recorded root histories cover its paths', () => {
  expect(histories.map((h) => h.workflowId)).toEqual(['ecology-run1', 'ecology-run2']);
  const events = histories.flatMap((h) => h.history.events!);
  const signals = new Set(events.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean));
  expect([...signals].sort()).toEqual(['shutdown', 'spawnAgent']);
  expect(events.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(true);
  expect(histories[0]!.history.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  expect(histories[1]!.history.events!.at(-1)!.workflowExecutionCompletedEventAttributes).toBeTruthy();
});

test('every recorded root history replays against the current workflow code', async () => {
  const { code } = await workflowBundle();
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) results.push({ id: r.workflowId, error: r.error?.message });
  expect(results).toEqual(histories.map((h) => ({ id: h.workflowId, error: undefined })));
});
