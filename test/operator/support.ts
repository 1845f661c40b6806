/**
 * Helpers for the operator tests, which drive the system only from outside: the `ecology` CLI, the
 * `temporal` CLI, and a Temporal dev server of their own (so restarting it never disturbs the
 * shared one on 7233 that other tests use).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'ecology.cjs');

/** The real `temporal` binary: scripts/services.sh exports TEMPORAL_CLI_PATH; else PATH. */
export const TEMPORAL_CLI = process.env.TEMPORAL_CLI_PATH && existsSync(process.env.TEMPORAL_CLI_PATH) ? process.env.TEMPORAL_CLI_PATH : 'temporal';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON, when it is JSON. */
  json: any;
}

function lastJson(stdout: string): unknown {
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '');
  } catch {
    return undefined;
  }
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr, json: lastJson(stdout) });
    });
  });
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** A Temporal dev server on its own ports and SQLite file; stop() and start() again keep its state. */
export class DevServer {
  private child: ChildProcess | null = null;
  log = '';
  constructor(
    readonly port: number,
    readonly dbFile: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(TEMPORAL_CLI, ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(this.port), '--db-filename', this.dbFile, '--headless', '--log-level', 'error'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    await waitFor(
      `the dev server on ${this.address}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`the dev server exited: ${this.log.slice(-2000)}`);
        const r = await this.cli(['operator', 'namespace', 'describe', '--namespace', 'default']);
        return r.code === 0;
      },
      60_000,
    );
  }

  /** SIGTERM, as Ctrl-C or a service manager would stop it. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited(child);
    clearTimeout(killer);
  }

  cli(args: string[]): Promise<Run> {
    return run(TEMPORAL_CLI, [...args, '--address', this.address, '--command-timeout', '10s'], process.env, 30_000);
  }
}
