/**
 * The real worker (`ecology worker`) as a child process, for tests that kill it (kill -9) in the
 * middle of work: it serves the world's task queue with the world's configuration (written to a
 * file) and a prebuilt workflow bundle, and talks to the world's fake LLM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workflowBundle } from './bundle';
import type { AgentWorld } from './harness';

const ROOT = join(__dirname, '..', '..', '..');

export interface ChildWorker {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ChildWorkers {
  /** Starts a worker and resolves once it serves its task queue. */
  start(): Promise<ChildWorker>;
  /** SIGKILLs every worker still running (afterAll). */
  killAll(): void;
}

export async function childWorkers(w: AgentWorld): Promise<ChildWorkers> {
  const configFile = join(tmpdir(), `ecology-child-${w.prefix}.json`);
  writeFileSync(configFile, JSON.stringify(w.config));
  const bundleFile = (await workflowBundle()).file;
  const children: ChildProcess[] = [];
  return {
    async start() {
      const proc = spawn(process.execPath, [join(ROOT, 'bin', 'ecology.cjs'), 'worker'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ECOLOGY_CONFIG: configFile,
          ECOLOGY_WORKFLOW_BUNDLE: bundleFile,
          DATABASE_URL: w.config.database.url,
          TEMPORAL_ADDRESS: w.config.temporal.address,
          OPENAI_BASE_URL: w.fake.baseUrl,
          OPENAI_API_KEY: 'fake-key',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(proc);
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
      await w.waitFor('the child worker to serve', async () => {
        if (proc.exitCode !== null) throw new Error(`worker exited early: ${out}`);
        return out.includes('serving task queue');
      }, 60000);
      return { proc, output: () => out, exited };
    },
    killAll() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
  };
}
