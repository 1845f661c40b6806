/**
 * Replay of recorded workflow histories (test/histories/, written by the record*.ts scripts there):
 * load a folder of them, and replay them against a workflow bundle, collecting each one's error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON, type History } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowBundle } from '../agents/support/bundle';

export const HISTORIES = join(__dirname, '..', 'histories');

/** A control bundle: every workflow type with a deliberate change of its commands (see the file). */
export const CHANGED_WORKFLOWS = join(HISTORIES, 'changedWorkflows.ts');

type HistoryEvent = NonNullable<History['events']>[number];

export interface RecordedHistory {
  /** The file's name without .json. */
  workflowId: string;
  history: History;
}

/** Every history in test/histories/<dir>, by file name. */
export function loadHistories(dir: string): RecordedHistory[] {
  const path = join(HISTORIES, dir);
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(join(path, f), 'utf8'))) }));
}

/** Replays each history against the bundle; the error of each (undefined: it replayed clean). */
export async function replayAll(code: string, histories: RecordedHistory[]): Promise<Array<{ id: string; error: Error | undefined }>> {
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) results.push({ id: r.workflowId, error: r.error as Error | undefined });
  return results;
}

/** The events of one loaded history. */
export function eventsOf(histories: RecordedHistory[], id: string): HistoryEvent[] {
  const h = histories.find((x) => x.workflowId === id);
  if (!h) throw new Error(`no recorded history ${id}`);
  return h.history.events ?? [];
}

/** The activity types a history scheduled, in order. */
export function scheduledActivities(events: HistoryEvent[]): string[] {
  return events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter((n): n is string => Boolean(n));
}

/** The decoded JSON input of each scheduled activity of type `type`. */
export function activityInputs(events: HistoryEvent[], type: string): unknown[] {
  return events
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a?.activityType?.name === type)
    .map((a) => JSON.parse(Buffer.from(a!.input!.payloads![0]!.data!).toString()) as unknown);
}

/** Every history replays against the current workflow code without an error. */
export async function expectCleanReplay(histories: RecordedHistory[]): Promise<void> {
  const { code } = await workflowBundle();
  const results = await replayAll(code, histories);
  expect(results.map((r) => ({ id: r.id, error: r.error?.message }))).toEqual(histories.map((h) => ({ id: h.workflowId, error: undefined })));
}

/** The control: every history fails with a determinism error against the changed bundle (CHANGED_WORKFLOWS). */
export async function expectControlFails(histories: RecordedHistory[]): Promise<void> {
  const { code } = await workflowBundle(CHANGED_WORKFLOWS);
  const results = await replayAll(code, histories);
  expect(results).toHaveLength(histories.length);
  for (const r of results) {
    expect(r.error).toBeInstanceOf(DeterminismViolationError);
    expect(r.error!.message).toMatch(/[Nn]ondeterminism/);
  }
}

/** The decoded JSON result a history's workflow completed with (undefined: it did not complete). */
export function workflowResult(events: HistoryEvent[]): unknown {
  const done = events.at(-1)?.workflowExecutionCompletedEventAttributes;
  const data = done?.result?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString()) as unknown) : undefined;
}
