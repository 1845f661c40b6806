/**
 * The runner protocol seen from a bare attach, without the pool: what the runner does between a
 * result and the next 'ready'.
 */
import { PassThrough } from 'node:stream';
import { SANDBOX_LABEL } from '../../src/sandbox';
import { locateCgroup } from '../../src/sandbox/cgroup';
import { containerCreateOptions } from '../../src/sandbox/container';
import { INIT_LABEL } from '../../src/sandbox/image';
import { LineSplitter } from '../../src/sandbox/lines';
import { DEFAULT_LIMITS } from '../../src/sandbox/types';
import { docker, eventually, sandboxImage } from './support';

type Message = Record<string, unknown> & { type?: string };

test("a result: the job's processes are killed at once, the clean-up and next boot wait for the host's 'recycle'", async () => {
  const image = await sandboxImage();
  const labels = (await docker.getImage(image).inspect()).Config.Labels ?? {};
  const container = await docker.createContainer(
    containerCreateOptions({
      docker,
      image,
      useDockerInit: labels[INIT_LABEL] !== 'builtin',
      limits: DEFAULT_LIMITS,
      owner: 'protocol',
      labels: { [SANDBOX_LABEL]: '1' },
      startTimeoutMs: 15_000,
      cpuSampleMs: 0,
    }),
  );
  try {
    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
    const out = new PassThrough();
    docker.modem.demuxStream(stream, out, new PassThrough());
    const received: Message[] = [];
    const splitter = new LineSplitter(1 << 20, (line) => received.push(JSON.parse(line) as Message), () => undefined);
    out.on('data', (chunk: Buffer) => splitter.push(chunk));
    const count = (type: string): number => received.filter((m) => m.type === type).length;
    const send = (msg: Message): void => void stream.write(`${JSON.stringify(msg)}\n`);

    await container.start();
    expect(await eventually(() => count('ready') === 1)).toBe(true);
    const probe = locateCgroup(container.id, (await container.inspect()).State.Pid);
    expect(probe).not.toBeNull();
    const live = (): number | null => probe!.liveProcesses();
    expect(live()).toBe(3); // init, the runner, the booted job process

    // The job leaves a detached process of its own behind (its own process group) and returns.
    const code = `import { spawn } from 'node:child_process';
export async function run() {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  await new Promise((resolve) => c.once('spawn', resolve));
  return c.pid;
}`;
    send({ type: 'job', id: 'j1', code, fn: 'run', args: {}, maxOutputBytes: 1000, maxLogBytes: 1000 });
    expect(await eventually(() => count('result') === 1)).toBe(true);
    expect(received.find((m) => m.type === 'result')).toMatchObject({ id: 'j1', ok: true });
    // No sweep has run (that is part of the recycle), yet both processes of the job are gone.
    expect(await eventually(() => live() === 2)).toBe(true);
    // Without the host's word nothing is booted.
    await new Promise((r) => setTimeout(r, 300));
    expect(live()).toBe(2);
    expect(count('ready')).toBe(1);

    send({ type: 'recycle', id: 'another-job' }); // ignored
    send({ type: 'recycle', id: 'j1' });
    expect(await eventually(() => count('ready') === 2)).toBe(true);
    expect(received.filter((m) => m.type === 'ready')[1]).toMatchObject({ clean: true });
    expect(live()).toBe(3);
  } finally {
    await container.remove({ force: true });
  }
});
