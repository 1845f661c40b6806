/**
 * A worker in a child process for the agents benchmark, so that its memory and CPU are its own:
 * forked by bench/agents.ts with `--expose-gc --require tsx/cjs` and an IPC channel.
 *
 * BENCH_WORKER_MODE=ecology: the real ecology worker (startEcologyWorker, as `ecology worker` runs
 * it), configuration from $ECOLOGY_CONFIG, workflows from $ECOLOGY_WORKFLOW_BUNDLE.
 * BENCH_WORKER_MODE=floor: Temporal's floor for the same loop shape, a bare workflow whose
 * iterations are the loop's steps as no-op (local) activities (floorWorkflow.ts), with the same
 * worker options, on the task queue $BENCH_TASK_QUEUE.
 *
 * Messages in: {type:'stats', gc} (garbage-collects first if asked, answers {type:'stats', ...}),
 * {type:'floorDone'} (answers the floor iterations' completion times and forgets them),
 * {type:'stop'} (graceful shutdown, then exit). Out: {type:'ready'} once polling.
 */
import { readFileSync } from 'node:fs';
import { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerStatus } from '@temporalio/worker';
import { loadConfig } from '../../src/config/load';
import { processLogger } from '../../src/log/logger';
import { startEcologyWorker, workerTuning } from '../../workers/worker';

export interface WorkerStats {
  type: 'stats';
  /** Bytes (after a full garbage collection of the main isolate when asked for). */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** VmRSS and VmHWM (peak) from /proc/self/status, bytes. */
  vmRss: number;
  vmHwm: number;
  /** This process's CPU so far (user + system), ms. */
  cpuMs: number;
  status: WorkerStatus;
}

/** A floor iteration's last activity finished at `at` (ms since the epoch). */
export interface FloorIteration {
  workflowId: string;
  at: number;
}

export type ToWorker = { type: 'stats'; gc: boolean } | { type: 'floorDone' } | { type: 'stop' };
export type FromWorker = { type: 'ready' } | WorkerStats | { type: 'floorDone'; done: FloorIteration[] };

function procStatus(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function stats(worker: Worker, collect: boolean): WorkerStats {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc) for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    type: 'stats',
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    vmRss: procStatus('VmRSS'),
    vmHwm: procStatus('VmHWM'),
    cpuMs: (cpu.user + cpu.system) / 1000,
    status: worker.getStatus(),
  };
}

const send = (m: FromWorker) => process.send!(m);

async function startFloor(): Promise<{ worker: Worker; shutdown: () => Promise<void>; done: FloorIteration[] }> {
  const config = loadConfig();
  const done: FloorIteration[] = [];
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: process.env.BENCH_TASK_QUEUE!,
    workflowsPath: require.resolve('./floorWorkflow'),
    ...workerTuning(config),
    activities: {
      async floorNoop(input: { last: boolean }): Promise<null> {
        if (input.last) done.push({ workflowId: Context.current().info.workflowExecution?.workflowId ?? '', at: Date.now() });
        return null;
      },
    },
  });
  const running = worker.run();
  return {
    worker,
    done,
    async shutdown() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let worker: Worker;
  let shutdown: () => Promise<void>;
  let floorDone: FloorIteration[] = [];
  if (process.env.BENCH_WORKER_MODE === 'floor') {
    const f = await startFloor();
    worker = f.worker;
    shutdown = f.shutdown;
    floorDone = f.done;
  } else {
    const running = await startEcologyWorker({ config: loadConfig(), logger: processLogger().child({ process: 'bench-worker' }) });
    worker = running.worker;
    shutdown = running.shutdown;
  }
  process.on('message', (msg: ToWorker) => {
    if (msg.type === 'stats') send(stats(worker, msg.gc));
    else if (msg.type === 'floorDone') send({ type: 'floorDone', done: floorDone.splice(0) });
    else if (msg.type === 'stop') {
      void shutdown().finally(() => process.exit(0));
    }
  });
  // The parent went away: don't outlive it.
  process.on('disconnect', () => void shutdown().finally(() => process.exit(0)));
  send({ type: 'ready' });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
