import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { EcologyConfig } from '../../config/schema';
import { EcologyError } from '../../errors';
import { localModelSettings, type LocalModelSettings } from './settings';

const ROOT = join(__dirname, '..', '..', '..');
/** Requests go to this placeholder origin; the fetch below sends them to the child's real port. */
const PLACEHOLDER = 'http://local-model.invalid';

export const LOCAL_NOT_INSTALLED = 'the local model is not installed: run scripts/install-local-llm.sh (npm start does it when no LLM endpoint is configured)';

interface Running {
  key: string;
  proc: ChildProcess;
  ready: Promise<string>;
}

let running: Running | undefined;

/** Forks server.ts and resolves with its base URL once the model is loaded. */
function start(key: string, s: LocalModelSettings, token: string, startTimeoutMs: number): Running {
  const proc = fork(join(__dirname, 'server.ts'), [], {
    cwd: ROOT,
    execArgv: ['--require', 'tsx/cjs'],
    env: { ...process.env, ECOLOGY_LOCAL_LLM_SETTINGS: JSON.stringify(s), ECOLOGY_LOCAL_LLM_TOKEN: token },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`the local model did not load within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    proc.on('message', (m: { type?: string; port?: number; message?: string }) => {
      clearTimeout(timer);
      if (m.type === 'ready') resolve(`http://127.0.0.1:${m.port}`);
      else reject(new Error(`the local model failed to load: ${m.message ?? 'no reason given'}`));
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local model's process exited (code ${code})`));
    });
  });
  // Neither the child nor its channel keeps this process alive; the child exits when it goes.
  proc.unref();
  proc.channel?.unref();
  const r: Running = { key, proc, ready };
  proc.once('exit', () => {
    if (running === r) running = undefined;
  });
  ready.catch(() => {
    if (running === r) running = undefined;
  });
  return r;
}

const clients = new Map<string, OpenAI>();

/**
 * An OpenAI client for the local model: the real client, so requests, errors and usage go
 * through the same code as with any provider. The model's process starts on the first request
 * (once per process; again if it died) and listens on 127.0.0.1 behind a random bearer token.
 */
export function localModelClient(llm: EcologyConfig['llm']): OpenAI {
  const s = localModelSettings(llm);
  if (!existsSync(s.modelPath) || !existsSync(join(s.runtimeDir, 'node_modules', 'node-llama-cpp'))) {
    throw new EcologyError('UNAVAILABLE', LOCAL_NOT_INSTALLED, { reason: 'not_configured' });
  }
  const key = JSON.stringify([s, llm.local.startTimeoutMs, llm.requestTimeoutMs]);
  let client = clients.get(key);
  if (!client) {
    const token = randomBytes(24).toString('hex');
    const baseUrl = async (): Promise<string> => {
      if (!running || running.key !== key) {
        running?.proc.kill();
        running = start(key, s, token, llm.local.startTimeoutMs);
      }
      return running.ready;
    };
    client = new OpenAI({
      apiKey: token,
      baseURL: `${PLACEHOLDER}/v1`,
      timeout: llm.requestTimeoutMs,
      maxRetries: 0,
      fetch: async (url, init) => fetch(String(url).replace(PLACEHOLDER, await baseUrl()), init),
    });
    clients.set(key, client);
  }
  return client;
}

/** Stops the local model's process, if one runs (tests, and the end of `ecology up`). */
export async function stopLocalModel(): Promise<void> {
  const r = running;
  running = undefined;
  if (!r || r.proc.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    r.proc.once('exit', () => resolve());
    r.proc.kill();
  });
}
