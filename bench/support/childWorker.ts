import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FloorIteration, FromWorker, ToWorker, WorkerStats } from './benchWorker';

const ROOT = join(__dirname, '..', '..');
/**
 * As the ecology runs its worker (scripts/run.sh, the Dockerfile): at most two glibc malloc arenas,
 * so the memory figures are those of the worker users run.
 */
const WORKER_PROCESS_ENV = { MALLOC_ARENA_MAX: '2' };
const STOP_TIMEOUT_MS = 30_000;

/**
 * A worker process of the agents benchmark (benchWorker.ts), driven over IPC. Its output goes to
 * this process's stderr, so that stdout stays the benchmark's own.
 */
export class ChildWorker {
  private listeners: Array<(m: FromWorker) => void> = [];
  private readonly exited: Promise<void>;

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: FromWorker) => {
      for (const l of [...this.listeners]) l(m);
    });
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
  }

  /** Forks the worker with `env` (no other environment but PATH, HOME and the worker's settings) and waits until it polls its task queue. */
  static async start(env: Record<string, string>, nodeArgs: string[] = []): Promise<ChildWorker> {
    const proc = fork(join(__dirname, 'benchWorker.ts'), [], {
      cwd: ROOT,
      execArgv: ['--expose-gc', ...nodeArgs, '--require', 'tsx/cjs'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...WORKER_PROCESS_ENV, ...env },
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    const child = new ChildWorker(proc);
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the benchmark worker exited (code ${code}) before it was ready`));
      proc.once('exit', onExit);
      child.next('ready').then(() => {
        proc.off('exit', onExit);
        resolve();
      }, reject);
    });
    return child;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  private next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve) => {
      const l = (m: FromWorker) => {
        if (m.type !== type) return;
        this.listeners = this.listeners.filter((x) => x !== l);
        resolve(m as Extract<FromWorker, { type: T }>);
      };
      this.listeners.push(l);
    });
  }

  private request<T extends FromWorker['type']>(msg: ToWorker, reply: T): Promise<Extract<FromWorker, { type: T }>> {
    const answer = this.next(reply);
    this.proc.send(msg);
    return answer;
  }

  /** Memory, CPU and Temporal worker status; `gc` collects garbage first (slow on a big heap). */
  stats(gc = false): Promise<WorkerStats> {
    return this.request({ type: 'stats', gc }, 'stats');
  }

  /** Floor mode: the iterations finished since the last call. */
  async floorDone(): Promise<FloorIteration[]> {
    return (await this.request({ type: 'floorDone' }, 'floorDone')).done;
  }

  /** Graceful shutdown; SIGKILL (this child only) if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (this.proc.connected) this.proc.send({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
