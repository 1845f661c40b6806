/**
 * Logging as the operator sets it: `ecology --log-level <level>` (before or after the command),
 * $ECOLOGY_LOG_LEVEL, and a bad level refused with a typed error. The worker runs as a child process
 * (`ecology worker`) against the real services; its stderr is read as JSON lines.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { main } from '../../src/cli/main';
import { loadConfig } from '../../src/config/load';
import { LOG_LEVELS, processLogger } from '../../src/log/logger';
import { connectClient } from '../../src/temporal/connection';
import { workflowBundle } from '../agents/support/bundle';
import { createTestDatabase, type TestDatabase } from '../support/testDb';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ecology.cjs');
const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const suffix = randomBytes(4).toString('hex');

let db: TestDatabase;
let client: Client;
let bundleFile: string;

beforeAll(async () => {
  db = await createTestDatabase();
  client = await connectClient(loadConfig({ overrides: { temporal: { address: TEMPORAL_ADDRESS } } }));
  bundleFile = (await workflowBundle()).file;
}, 120_000);

afterAll(async () => {
  await client?.connection.close().catch(() => undefined);
  await db?.drop();
});

/** `ecology ...args` in this process: exit code, stdout and stderr. */
async function inProcess(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  const saved = { ...process.env };
  Object.assign(process.env, { DATABASE_URL: db.url, ...env });
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    Object.assign(process.env, saved);
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** Whether a worker polls `taskQueue` for workflow tasks. */
async function polled(taskQueue: string): Promise<boolean> {
  const r = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
  return (r.pollers ?? []).length > 0;
}

/**
 * `ecology ...args` run as the worker in a child process: waits until it polls its task queue, stops
 * it with SIGTERM, and returns its exit code and stderr lines.
 */
async function workerRun(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; lines: string[] }> {
  const taskQueue = `log-cli-${suffix}-${randomBytes(3).toString('hex')}`;
  const configFile = join(tmpdir(), `ecology-log-${taskQueue}.json`);
  writeFileSync(configFile, JSON.stringify({ temporal: { taskQueue } }));
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ECOLOGY_CONFIG: configFile,
      ECOLOGY_WORKFLOW_BUNDLE: bundleFile,
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS,
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      OPENAI_API_KEY: 'unused',
      // No sandbox: the worker says so with a warning (a line every level down to warn shows).
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!(await polled(taskQueue))) {
      if (child.exitCode !== null) throw new Error(`the worker exited early (${child.exitCode}): ${err}`);
      if (Date.now() > deadline) throw new Error(`the worker never polled ${taskQueue}: ${err}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    child.kill('SIGTERM');
  }
  const code = await exited;
  return { code, lines: err.split('\n').filter(Boolean) };
}

const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as { level: string; msg: string });

test('a bad level is refused before anything runs, with a typed error listing the levels', async () => {
  const flag = await inProcess(['--log-level', 'loud', 'worker']);
  expect(flag.code).toBe(1);
  expect(flag.stderr).toBe(`ecology: INVALID_ARGUMENT: --log-level must be one of ${LOG_LEVELS.join(', ')} (got "loud")\n`);
  const json = await inProcess(['worker', '--log-level', 'loud', '--json']);
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', details: { levels: [...LOG_LEVELS] } } });
  const env = await inProcess(['worker', '--json'], { ECOLOGY_LOG_LEVEL: 'verbose' });
  expect(env.code).toBe(1);
  expect(JSON.parse(env.stdout).error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('ECOLOGY_LOG_LEVEL must be one of trace, debug') });
  const missing = await inProcess(['--log-level']);
  expect(missing).toMatchObject({ code: 1, stderr: 'ecology: USAGE: --log-level needs a value\n' });
});

test('the flag sets the process logger, before or after the command name; the environment variable too', async () => {
  // `ecology help` runs nothing else: the logger is what the flag or variable made it.
  expect((await inProcess(['--log-level', 'error', 'help'])).code).toBe(0);
  expect(processLogger().level).toBe('error');
  expect((await inProcess(['--log-level=debug', 'help'])).code).toBe(0);
  expect(processLogger().level).toBe('debug');
  expect((await inProcess(['help'], { ECOLOGY_LOG_LEVEL: 'warn' })).code).toBe(0);
  expect(processLogger().level).toBe('warn');
  const audit = await inProcess(['audit', '--log-level', 'fatal', '--json']);
  expect(audit.code).toBe(0);
  expect(processLogger().level).toBe('fatal');
});

test('the worker logs JSON lines on stderr; --log-level warn leaves out its info lines', async () => {
  const normal = await workerRun(['worker']);
  expect(normal.code).toBe(0);
  const lines = parsed(normal.lines);
  expect(lines.find((l) => l.msg.startsWith('serving task queue'))).toMatchObject({ level: 'info', name: 'ecology' });
  expect(lines.find((l) => l.msg.startsWith('no Docker daemon'))).toMatchObject({ level: 'warn' });
  expect(lines.find((l) => l.msg === 'SIGTERM received, shutting down gracefully')).toMatchObject({ level: 'info', signal: 'SIGTERM' });
  expect(lines.find((l) => l.msg === 'worker stopped')).toMatchObject({ level: 'info' });

  const quiet = await workerRun(['--log-level', 'warn', 'worker']);
  expect(quiet.code).toBe(0);
  const quietLines = parsed(quiet.lines);
  expect(quietLines.find((l) => l.msg.startsWith('no Docker daemon'))).toMatchObject({ level: 'warn' });
  expect(quietLines.filter((l) => l.level === 'info' || l.level === 'debug')).toEqual([]);
}, 150_000);

test('the flag wins over ECOLOGY_LOG_LEVEL in the worker', async () => {
  const flagWins = await workerRun(['worker', '--log-level', 'info'], { ECOLOGY_LOG_LEVEL: 'warn' });
  expect(flagWins.code).toBe(0);
  expect(parsed(flagWins.lines).find((l) => l.msg === 'worker stopped')).toMatchObject({ level: 'info' });
}, 150_000);
