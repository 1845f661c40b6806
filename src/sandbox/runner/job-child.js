'use strict';
/**
 * One job, one process. Booted ahead of time by runner.js, which warms it with a dry run (see the
 * end of this file); then waits for a single job over IPC, loads the agent's ES module from a data:
 * URL (no file in /tmp), calls the exported function with (args, ctx), validates the result as plain
 * JSON within the size cap and reports it. It does not exit by itself: the supervisor kills it as
 * soon as the result arrives. ctx.read/invoke/llm are requests relayed through the supervisor to
 * the host.
 */
const MAX_DEPTH = 256;
const MAX_MESSAGE_CHARS = 4000;
/** Stack frames and errors name the agent's module like this instead of its (long) data: URL. */
const MODULE_NAME = 'code.mjs';
/** A job identical in shape to a real one, run at boot so no first-time cost lands in a job's window. */
const WARM_JOB = { code: 'export function run(a) { return { echo: a.i, list: [1, "x", null, true] } }', fn: 'run', args: { i: 0 }, maxOutputBytes: 1024 };

const send = process.send.bind(process);
const pending = new Map();
let nextCallId = 1;
let finished = false;
let maxOutputBytes = 1 << 20;
let moduleUrl = '';
let warming = false; // the runner's 'warm' came: the dry run started
let jobStarted = false;

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
    const stack = typeof err.stack === 'string' ? err.stack.split('\n').filter((l) => l.includes(MODULE_NAME)).slice(0, 5).map((l) => l.trim()) : [];
    const full = stack.length ? `${text}\n${stack.join('\n')}` : text;
    return (moduleUrl ? full.split(moduleUrl).join(MODULE_NAME) : full).slice(0, MAX_MESSAGE_CHARS);
  }
  let text;
  try {
    text = JSON.stringify(err);
  } catch {
    text = undefined;
  }
  return `thrown value: ${text === undefined ? String(err) : text}`.slice(0, MAX_MESSAGE_CHARS);
}

/** Resolves once everything written to `stream` so far is in the pipe to the supervisor. */
function flushed(stream) {
  if (!stream.writableLength) return null;
  return new Promise((resolve) => {
    stream.once('drain', resolve);
    stream.once('close', resolve);
    stream.once('error', resolve);
  });
}

/**
 * Reports the outcome, with how many bytes went to stdout/stderr so the supervisor knows when it
 * has all the output written before the result, without waiting for this process to exit.
 */
function finish(outcome) {
  if (finished || !jobStarted) return;
  finished = true;
  const pending = [flushed(STDOUT), flushed(STDERR)].filter(Boolean);
  const report = () => send({ type: 'result', ...outcome, out: STDOUT.bytesWritten, err: STDERR.bytesWritten });
  if (pending.length) Promise.all(pending).then(report);
  else report();
}

function failure(code, message) {
  return { ok: false, error: { code, message } };
}

function fail(code, message) {
  finish(failure(code, message));
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
  // grant: {max_price?, code_hash?, allowance?, allow?} for the invoked code, within what this code was granted.
  invoke: (id, method, args, grant) =>
    call('invoke', { id, method: method === undefined ? 'run' : method, args: args === undefined ? {} : args, ...(grant === undefined ? {} : { grant }) }),
  llm: (messages, options) => call('llm', { messages, options: options === undefined ? {} : options }),
});

/** Loads and runs one job; resolves with its outcome ({ ok, value } or { ok: false, error }). */
async function runJob(job) {
  maxOutputBytes = job.maxOutputBytes;
  // A data: URL instead of a file: no write to /tmp, no file read on the loader's thread pool.
  // The sourceURL comment makes stack frames say code.mjs:line:column.
  const source = `${String(job.code ?? '')}\n//# sourceURL=${MODULE_NAME}\n`;
  moduleUrl = `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  let mod;
  try {
    mod = await import(moduleUrl);
  } catch (err) {
    return failure(err instanceof SyntaxError ? 'INVALID_CODE' : 'CODE_THREW', `loading the module failed: ${describeError(err)}`);
  }
  const fnName = typeof job.fn === 'string' && job.fn ? job.fn : 'run';
  const fn = Object.prototype.hasOwnProperty.call(mod, fnName) ? mod[fnName] : undefined;
  if (typeof fn !== 'function') {
    const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    return failure('NO_SUCH_FUNCTION', `the module does not export a function named "${fnName}" (exported functions: ${exported.join(', ') || 'none'})`);
  }
  let value;
  try {
    value = await fn(job.args, ctx);
  } catch (err) {
    return failure('CODE_THREW', describeError(err));
  }
  let clean;
  try {
    clean = toJson(value === undefined ? null : value, 'result', 0, new Set(), { left: maxOutputBytes });
  } catch (err) {
    if (err instanceof TooLarge) return failure('OUTPUT_TOO_LARGE', `result exceeds ${maxOutputBytes} bytes`);
    if (err instanceof NotJson) return failure('OUTPUT_NOT_JSON', `the result is not JSON: ${err.message}`);
    return failure('CODE_THREW', describeError(err)); // a getter or toJSON threw
  }
  if (Buffer.byteLength(JSON.stringify(clean)) > maxOutputBytes) return failure('OUTPUT_TOO_LARGE', `result exceeds ${maxOutputBytes} bytes`);
  return { ok: true, value: clean };
}

/**
 * The dry run at boot: the same IPC message, data: URL import, call, result check and send as a
 * job, so V8 has compiled all of it and Node has set up the loader before the process reports
 * ready; a job's CPU window then holds its own work only.
 */
async function warmUp() {
  const outcome = await runJob(WARM_JOB);
  if (!outcome.ok) throw new Error(`warm-up job failed: ${outcome.error.code} ${outcome.error.message}`);
  moduleUrl = '';
  maxOutputBytes = 1 << 20;
  send({ type: 'booted' });
}

process.on('message', (msg) => {
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'job' && !jobStarted && warming) {
    jobStarted = true;
    runJob(msg).then(finish, (err) => fail('CRASHED', `runner error: ${describeError(err)}`));
  } else if (msg.type === 'warm' && !warming) {
    warming = true;
    warmUp().catch((err) => {
      process.stderr.write(`job process warm-up failed: ${err && err.message}\n`);
      process.exit(70);
    });
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
// Create the stdio streams now (they are lazy), and keep our own references for the byte counts.
const STDOUT = process.stdout;
const STDERR = process.stderr;
