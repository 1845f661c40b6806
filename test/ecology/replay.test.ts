/**
 * Replay of ecologyWorkflow: test/histories/ecology/ holds the runs of a real root (recorded by
 * test/histories/recordEcology.ts: bootstrap, children, spawns paid and refused, continue-as-new,
 * shutdown stopping the agents). The current workflow code must replay each without a determinism
 * error, so a change to the root's order of commands is caught before it breaks running worlds.
 */
import '../agents/support/harness'; // quiet runtime logger
import { expectCleanReplay, expectControlFails, loadHistories } from '../support/replay';

const histories = loadHistories('ecology');

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
  await expectCleanReplay(histories);
});

test('a root that reads the world before it bootstraps fails replay with a determinism error', async () => {
  await expectControlFails(histories);
});
