/** Shared set-up for the sandbox tests: a real Docker daemon and the locally built image. */
import os from 'node:os';
import { connectDocker, checkDocker, dockerUnavailableMessage, ensureSandboxImage, SandboxPool, type SandboxPoolOptions } from '../../src/sandbox';

export const MiB = 1024 * 1024;

export const docker = connectDocker();

/** Fails the suite with a clear message when there is no daemon; builds the image once per content. */
export async function sandboxImage(): Promise<string> {
  const status = await checkDocker(docker, 5000);
  if (!status.ok) throw new Error(dockerUnavailableMessage(status.reason, docker));
  return (await ensureSandboxImage(docker)).ref;
}

export function makePool(image: string, options: Omit<SandboxPoolOptions, 'docker' | 'image'> = {}): SandboxPool {
  return new SandboxPool({
    docker,
    image,
    idleMs: 30_000,
    ...options,
    limits: { memoryBytes: 256 * MiB, nanoCpus: 1e9, pids: 64, tmpfsBytes: 8 * MiB, timeoutMs: 5_000, maxOutputBytes: 64 * 1024, ...options.limits },
  });
}

/** Compact assertion message: the whole result when a run is not what a test expected. */
export function show(result: unknown): string {
  return JSON.stringify(result).slice(0, 2000);
}

/** toMatchObject, but a failure shows the whole result (the error message is what explains it). */
export function expectResult(result: unknown, expected: Record<string, unknown>): void {
  try {
    expect(result).toMatchObject(expected);
  } catch (err) {
    (err as Error).message += `\n\nFull result: ${show(result)}`;
    throw err;
  }
}

/** Waits until `owner` has an idle container (the previous job's clean-up finished). */
export async function waitIdle(pool: SandboxPool, owner: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pool.containers().some((c) => c.owner === owner && c.state === 'idle')) {
    if (Date.now() > deadline) throw new Error(`no idle container for ${owner} after ${timeoutMs} ms: ${show(pool.containers())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls `check` until it returns true or the time is up. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when the machine is not so loaded that timing expectations are meaningless. */
export function hostQuiet(): boolean {
  return os.loadavg()[0]! < os.cpus().length * 0.75;
}
