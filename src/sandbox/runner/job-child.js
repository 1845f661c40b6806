'use strict';
/**
 * One job, one process. Booted ahead of time by runner.js; waits for a single job over IPC, loads
 * the agent's ES module from a file, calls the exported function with (args, ctx), validates the
 * result as plain JSON within the size cap, reports, and exits. ctx.read/invoke/llm are requests
 * relayed through the supervisor to the host.
 */
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const JOB_DIR = '/tmp/.job';
const MAX_DEPTH = 256;
const MAX_MESSAGE_CHARS = 4000;

const send = process.send.bind(process);
const pending = new Map();
let nextCallId = 1;
let finished = false;
let maxOutputBytes = 1 << 20;

class NotJson extends Error {}
class TooLarge extends Error {}

/** Returns a plain-JSON copy of value or throws NotJson/TooLarge; budget counts characters seen. */
function toJson(value, where, depth, seen, budget) {
  if (depth > MAX_DEPTH) throw new NotJson(`value nested deeper than ${MAX_DEPTH} levels at ${where}`);
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    budget.left -= value.length;
    if (budget.left < 0) throw new TooLarge();
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotJson(`${where} is ${value}, which JSON cannot represent`);
    return value;
  }
  if (typeof value !== 'object') throw new NotJson(`${where} is a ${typeof value}`);
  if (seen.has(value)) throw new NotJson(`${where} is a circular reference`);
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    if (typeof value.toJSON === 'function') return toJson(value.toJSON(), where, depth + 1, seen, budget);
    const kind = (proto && proto.constructor && proto.constructor.name) || 'object';
    throw new NotJson(`${where} is a ${kind}, not a plain object or array`);
  }
  seen.add(value);
  let out;
  if (Array.isArray(value)) {
    out = new Array(value.length);
    budget.left -= value.length;
    if (budget.left < 0) throw new TooLarge();
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      out[i] = item === undefined ? null : toJson(item, `${where}[${i}]`, depth + 1, seen, budget);
    }
  } else {
    out = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue; // as JSON.stringify does
      budget.left -= key.length + 2;
      if (budget.left < 0) throw new TooLarge();
      out[key] = toJson(item, `${where}.${key}`, depth + 1, seen, budget);
    }
  }
  seen.delete(value);
  return out;
}

function describeError(err) {
  if (err instanceof Error) {
    const text = `${err.name}: ${err.message}`;
    const stack = typeof err.stack === 'string' ? err.stack.split('\n').filter((l) => l.includes('code.mjs')).slice(0, 5).map((l) => l.trim().replace(pathToFileURL(JOB_DIR).href + '/', '')) : [];
    return (stack.length ? `${text}\n${stack.join('\n')}` : text).slice(0, MAX_MESSAGE_CHARS);
  }
  let text;
  try {
    text = JSON.stringify(err);
  } catch {
    text = undefined;
  }
  return `thrown value: ${text === undefined ? String(err) : text}`.slice(0, MAX_MESSAGE_CHARS);
}

function finish(outcome) {
  if (finished) return;
  finished = true;
  send({ type: 'result', ...outcome }, () => process.exit(0));
}

function fail(code, message) {
  finish({ ok: false, error: { code, message } });
}

function call(op, payload) {
  let clean;
  try {
    clean = toJson(payload, op, 0, new Set(), { left: maxOutputBytes });
  } catch (err) {
    const e = new TypeError(err instanceof TooLarge ? `ctx.${op}: request larger than ${maxOutputBytes} bytes` : `ctx.${op}: ${err.message}`);
    e.code = 'INVALID_ARGUMENT';
    return Promise.reject(e);
  }
  const callId = nextCallId++;
  return new Promise((resolve, reject) => {
    pending.set(callId, { resolve, reject });
    send({ type: 'call', callId, op, payload: clean });
  });
}

const ctx = Object.freeze({
  read: (id) => call('read', { id }),
  invoke: (id, method, args) => call('invoke', { id, method: method === undefined ? 'run' : method, args: args === undefined ? {} : args }),
  llm: (messages, options) => call('llm', { messages, options: options === undefined ? {} : options }),
});

async function runJob(job) {
  maxOutputBytes = job.maxOutputBytes;
  fs.mkdirSync(JOB_DIR, { recursive: true, mode: 0o700 });
  const file = path.join(JOB_DIR, 'code.mjs');
  fs.writeFileSync(file, String(job.code ?? ''), { mode: 0o600 });
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    return fail(err instanceof SyntaxError ? 'INVALID_CODE' : 'CODE_THREW', `loading the module failed: ${describeError(err)}`);
  }
  const fnName = typeof job.fn === 'string' && job.fn ? job.fn : 'run';
  const fn = Object.prototype.hasOwnProperty.call(mod, fnName) ? mod[fnName] : undefined;
  if (typeof fn !== 'function') {
    const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    return fail('NO_SUCH_FUNCTION', `the module does not export a function named "${fnName}" (exported functions: ${exported.join(', ') || 'none'})`);
  }
  let value;
  try {
    value = await fn(job.args, ctx);
  } catch (err) {
    return fail('CODE_THREW', describeError(err));
  }
  let clean;
  try {
    clean = toJson(value === undefined ? null : value, 'result', 0, new Set(), { left: maxOutputBytes });
  } catch (err) {
    if (err instanceof TooLarge) return fail('OUTPUT_TOO_LARGE', `result exceeds ${maxOutputBytes} bytes`);
    if (err instanceof NotJson) return fail('OUTPUT_NOT_JSON', `the result is not JSON: ${err.message}`);
    return fail('CODE_THREW', describeError(err)); // a getter or toJSON threw
  }
  if (Buffer.byteLength(JSON.stringify(clean)) > maxOutputBytes) return fail('OUTPUT_TOO_LARGE', `result exceeds ${maxOutputBytes} bytes`);
  finish({ ok: true, value: clean });
}

process.on('message', (msg) => {
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'job' && !runJob.started) {
    runJob.started = true;
    runJob(msg).catch((err) => fail('CRASHED', `runner error: ${describeError(err)}`));
  } else if (msg.type === 'reply') {
    const p = pending.get(msg.callId);
    if (!p) return;
    pending.delete(msg.callId);
    if (msg.ok) p.resolve(msg.result === undefined ? null : msg.result);
    else {
      const e = new Error(String((msg.error && msg.error.message) || 'bridge call failed'));
      e.code = String((msg.error && msg.error.code) || 'CALL_FAILED');
      p.reject(e);
    }
  }
});
// Errors escaping the job's own promise chain (a throw in a timer, an unawaited rejection) fail the job.
process.on('uncaughtException', (err) => fail('CODE_THREW', `uncaught exception: ${describeError(err)}`));
process.on('unhandledRejection', (err) => fail('CODE_THREW', `unhandled promise rejection: ${describeError(err)}`));
// Warm the ES module loader (and the file-URL path the job will take) before reporting ready, so its
// one-time set-up is paid while the process idles rather than inside the next job's CPU window.
fs.mkdirSync(JOB_DIR, { recursive: true, mode: 0o700 });
const warmFile = path.join(JOB_DIR, 'warm.mjs');
fs.writeFileSync(warmFile, 'export function run() { return null }\n', { mode: 0o600 });
import(pathToFileURL(warmFile).href).then(
  () => {
    fs.rmSync(warmFile, { force: true });
    send({ type: 'booted' });
  },
  (err) => {
    process.stderr.write(`module loader warm-up failed: ${err && err.message}\n`);
    process.exit(70);
  },
);
