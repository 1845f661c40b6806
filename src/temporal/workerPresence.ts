import type { Client } from '@temporalio/client';

/** Whether any worker polls a task queue, from Temporal's list of its recent pollers. */
export interface WorkerPresence {
  serving: boolean;
  /** Milliseconds since the newest poll, null when Temporal lists none. */
  lastPollAgoMs: number | null;
}

/** The sentence every command uses when no worker runs the world's workflows. */
export function noWorkerMessage(taskQueue: string): string {
  return `No worker is serving task queue ${taskQueue}: agents and schedules are standing still. Start one with "ecology up" (or "ecology worker")`;
}

/**
 * Asks Temporal who polled `taskQueue` for workflow tasks. A poll older than `staleMs` counts as
 * no worker: the server keeps a stopped worker's pollers listed long after it went away.
 */
export async function workerPresence(client: Client, taskQueue: string, staleMs: number): Promise<WorkerPresence> {
  const r = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: 1 /* NORMAL */ },
    taskQueueType: 1 /* WORKFLOW */,
  });
  const newest = Math.max(...(r.pollers ?? []).map((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 + Math.floor((p.lastAccessTime?.nanos ?? 0) / 1e6)), -Infinity);
  const lastPollAgoMs = Number.isFinite(newest) ? Math.max(0, Date.now() - newest) : null;
  return { serving: lastPollAgoMs !== null && lastPollAgoMs <= staleMs, lastPollAgoMs };
}

/**
 * Why a query got no answer: "No worker is serving ..." when that is so, else the query's own
 * error (the reason is kept when Temporal cannot even be asked).
 */
export async function explainQueryFailure(client: Client, taskQueue: string, staleMs: number, error: string): Promise<{ noWorker: boolean; message: string }> {
  try {
    const p = await workerPresence(client, taskQueue, staleMs);
    if (!p.serving) return { noWorker: true, message: noWorkerMessage(taskQueue) };
    return { noWorker: false, message: `${error} (a worker polled task queue ${taskQueue} ${Math.round((p.lastPollAgoMs ?? 0) / 1000)} s ago)` };
  } catch {
    return { noWorker: false, message: error };
  }
}
