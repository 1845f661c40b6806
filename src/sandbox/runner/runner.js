'use strict';
// First thing, before any job exists: a JavaScript SIGUSR1 listener replaces Node's own handler, so
// the signal can never open the inspector (127.0.0.1:9229) in the supervisor. Jobs cannot send it
// (they run as another uid); this is defence in depth (node 20 has no --disable-sigusr1).
process.on('SIGUSR1', () => {});
/**
 * In-container supervisor (plain JS, copied into the sandbox image; no dependencies).
 *
 * Speaks newline-delimited JSON with the host over stdin/stdout:
 *   host -> runner  {type:'job', id, code, fn, args, maxOutputBytes, maxLogBytes}
 *                   {type:'reply', callId, ok, result | error:{code,message}}
 *                   {type:'recycle', id}  (the host has taken its CPU reading for job `id`)
 *   runner -> host  {type:'ready', clean, bootMs, problems?}
 *                   {type:'call', job, callId, op, payload}
 *                   {type:'result', id, ok, value | error:{code,message}, logs}
 *
 * Every job runs in a fresh child process (job-child.js) so nothing a job does (globals, module
 * cache, timers, files in /tmp, background processes) survives into the next one. The next child is
 * booted (and warmed with a dry run) right after a job finishes, before 'ready' is sent, so its
 * start-up cost is neither on the latency path of the next job nor inside any job's CPU window.
 * When a child reports its result, every process of the job is SIGKILLed before the result goes
 * to the host (nothing of the job runs after the host's CPU reading); the result does not wait for
 * the processes to finish dying, only for the output they wrote before it (the child says how many
 * bytes that was). The clean-up and the next boot wait for the host's 'recycle', which it sends
 * after reading the container's CPU at the result: their CPU can never fall into the job's window,
 * and they do not compete with the result on its way out.
 *
 * The supervisor runs as root with only SETUID, SETGID, KILL, DAC_OVERRIDE and FOWNER; every job
 * process runs as SANDBOX_JOB_UID with no capabilities. A job therefore cannot signal the
 * supervisor (no SIGUSR1 -> debugger, no SIGSTOP/SIGKILL), ptrace it, or open its /proc entries,
 * and nothing of a job survives its end: every process of the container but init and ourselves is
 * the job's, and is killed.
 *
 * The supervisor enforces nothing the host relies on for money: timeouts, CPU and OOM accounting
 * are done by the host from outside the container. It only keeps jobs apart and reports.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const CHILD_SCRIPT = path.join(__dirname, 'job-child.js');
const SCRATCH_DIRS = ['/tmp', '/dev/shm'];
const SWEEP_ROUNDS = 200; // x SWEEP_PAUSE_MS: how long we chase stragglers before declaring the container dirty
const SWEEP_PAUSE_MS = 5;
const LOG_GRACE_MS = 20; // how long a result waits for console output the child announced but we have not read
// The host sizes the job's V8 heap below the container limit so that a heap bomb fails fast as a
// V8 "heap out of memory" instead of thrashing at the cgroup limit (evicting and re-reading the
// node binary's own pages) until the time limit.
const HEAP_MB = Number(process.env.SANDBOX_JOB_HEAP_MB) || 0;
const JOB_UID = Number(process.env.SANDBOX_JOB_UID) || 0; // also the job's gid
const CHILD_ARGS = HEAP_MB > 0 ? [`--max-old-space-size=${HEAP_MB}`, CHILD_SCRIPT] : [CHILD_SCRIPT];

let spare = null; // booted child waiting for a job: { proc, logs }
let active = null; // running job: { id, proc, logs, maxOutputBytes, calls: Map<hostCallId, childCallId>, reported }
let finishedJob = null; // reported job whose clean-up waits for the host's 'recycle'
let nextCallId = 1;
let shuttingDown = false;
let bootFailures = 0;

function emit(msg) {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps the last `max` bytes a child wrote to stdout/stderr; agents get them back for debugging. */
function logSink() {
  return { chunks: [], size: 0, truncated: false, max: 4096 };
}
function appendLog(sink, chunk) {
  sink.chunks.push(chunk);
  sink.size += chunk.length;
  while (sink.size > sink.max * 2 && sink.chunks.length > 1) {
    sink.size -= sink.chunks.shift().length;
    sink.truncated = true;
  }
}
function logText(sink) {
  const all = Buffer.concat(sink.chunks);
  const tail = all.length > sink.max ? all.subarray(all.length - sink.max) : all;
  return (sink.truncated || all.length > sink.max ? '[...]\n' : '') + tail.toString('utf8');
}

function bootChild() {
  const started = Date.now();
  const logs = logSink();
  const proc = spawn(process.execPath, CHILD_ARGS, {
    // stdout/stderr are piped to us, never inherited: the child must not be able to write protocol lines.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true, // own process group, so the whole job tree can be killed at once
    cwd: '/tmp',
    env: { HOME: '/tmp', PATH: path.dirname(process.execPath), TZ: 'UTC', LANG: 'C.UTF-8' },
    serialization: 'json',
    uid: JOB_UID, // libuv drops the supplementary groups, then sets gid and uid: no capabilities left
    gid: JOB_UID,
  });
  const child = { proc, logs, booted: false, outBytes: 0, errBytes: 0, onOutput: null };
  proc.stdout.on('data', (c) => {
    child.outBytes += c.length;
    appendLog(logs, c);
    if (child.onOutput) child.onOutput();
  });
  proc.stderr.on('data', (c) => {
    child.errBytes += c.length;
    appendLog(logs, c);
    if (child.onOutput) child.onOutput();
  });
  child.exited = new Promise((resolve) => proc.once('exit', resolve));
  // Output travels on pipes, the result on the IPC channel: give the pipes a moment to drain.
  const closed = (stream) => new Promise((resolve) => stream.once('close', resolve));
  child.outputDrained = Promise.all([closed(proc.stdout), closed(proc.stderr)]);
  proc.on('message', (msg) => onChildMessage(child, msg));
  proc.on('exit', (code, signal) => onChildExit(child, code, signal));
  proc.on('error', (err) => onChildExit(child, null, null, err));
  proc.send({ type: 'warm' }); // the child answers 'booted' after its dry run
  child.onBooted = () => {
    child.booted = true;
    spare = child;
    emit({ type: 'ready', clean: child.clean !== false, bootMs: Date.now() - started, cleanupMs: child.cleanupMs, problems: child.problems });
  };
  return child;
}

function onChildMessage(child, msg) {
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'booted' && !child.booted) {
    child.onBooted();
    return;
  }
  const job = active;
  if (!job || job.proc !== child.proc || job.reported) return;
  if (msg.type === 'call') {
    const payloadBytes = Buffer.byteLength(JSON.stringify(msg.payload === undefined ? null : msg.payload));
    if (typeof msg.op !== 'string' || payloadBytes > job.maxOutputBytes) {
      child.proc.send({ type: 'reply', callId: msg.callId, ok: false, error: { code: 'INVALID_ARGUMENT', message: `bridge request rejected (op must be a string, payload at most ${job.maxOutputBytes} bytes)` } });
      return;
    }
    const callId = nextCallId++;
    job.calls.set(callId, msg.callId);
    emit({ type: 'call', job: job.id, callId, op: msg.op, payload: msg.payload === undefined ? null : msg.payload });
  } else if (msg.type === 'result') {
    if (msg.ok === true) {
      const text = JSON.stringify(msg.value === undefined ? null : msg.value);
      if (Buffer.byteLength(text) > job.maxOutputBytes) {
        reportResult(job, msg, { ok: false, error: { code: 'OUTPUT_TOO_LARGE', message: `result exceeds ${job.maxOutputBytes} bytes` } });
      } else {
        reportResult(job, msg, { ok: true, value: JSON.parse(text) });
      }
    } else {
      const e = msg.error && typeof msg.error === 'object' ? msg.error : {};
      reportResult(job, msg, { ok: false, error: { code: String(e.code || 'CODE_THREW').slice(0, 64), message: String(e.message || 'job failed').slice(0, 4000) } });
    }
  }
}

function onChildExit(child, code, signal, err) {
  if (child.gone) return;
  child.gone = true;
  if (spare === child) {
    // A booted spare died while idle (should not happen): replace it so the next job has one.
    spare = null;
    if (!shuttingDown) bootChild();
    return;
  }
  if (active && active.proc === child.proc && !active.reported) {
    const logs = logText(child.logs);
    const heap = /heap out of memory|Allocation failed/i.test(logs);
    report(active, {
      ok: false,
      error: {
        code: heap ? 'OUT_OF_MEMORY' : 'CRASHED',
        message: heap ? `the JavaScript heap ran out of memory${HEAP_MB ? ` (limit ${HEAP_MB} MiB)` : ''}` : `job process exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}${err ? `: ${err.message}` : ''})`,
      },
      exit: { code, signal },
    });
  } else if (!child.booted && !shuttingDown) {
    // The spare died before it was ever used (should not happen); try once more, then give up.
    if (bootFailures++ > 3) {
      emit({ type: 'fatal', message: `cannot start job process: ${err ? err.message : `exit ${code} ${signal}`}\n${logText(child.logs)}` });
      process.exit(1);
    }
    bootChild();
  }
}

/**
 * The child's own report. Its processes are killed first, then the result goes out as soon as we
 * have read the stdout/stderr bytes the child says it wrote before reporting (normally already
 * here: its writes completed before the IPC message was sent); a wrong count costs at most
 * LOG_GRACE_MS.
 */
function reportResult(job, msg, outcome) {
  job.reported = true;
  killJob(job);
  const child = job.child;
  const out = Number.isSafeInteger(msg.out) ? msg.out : 0;
  const err = Number.isSafeInteger(msg.err) ? msg.err : 0;
  const complete = () => child.outBytes >= out && child.errBytes >= err;
  if (complete()) return finishReport(job, outcome);
  let timer;
  const done = () => {
    if (job.finished) return;
    child.onOutput = null;
    clearTimeout(timer);
    finishReport(job, outcome);
  };
  child.onOutput = () => complete() && done();
  timer = setTimeout(done, LOG_GRACE_MS);
  job.outputDrained.then(done);
}

/** The job's process died without reporting: give its last output (the pipes close with it) a moment. */
function report(job, outcome) {
  job.reported = true;
  killJob(job);
  Promise.race([job.outputDrained, sleep(LOG_GRACE_MS)]).then(() => finishReport(job, outcome));
}

function finishReport(job, outcome) {
  if (job.finished) return;
  job.finished = true;
  finishedJob = job;
  emit({ type: 'result', id: job.id, ...outcome, logs: logText(job.logs) });
}

/**
 * SIGKILL the job's process group and every other process but init and ourselves, without waiting:
 * after this no code of the job runs, so nothing it does falls after the host's CPU reading. The
 * recycle then waits for them to be gone and sweeps again.
 */
function killJob(job) {
  try {
    process.kill(-job.proc.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === 1 || pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Kill the job's process tree and anything it left behind, scrub scratch space, boot the next child. */
async function recycle(job) {
  const t0 = Date.now();
  const problems = [];
  try {
    process.kill(-job.proc.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await job.exited; // reaped: the job process no longer counts as a straggler
  const stragglers = await sweepStragglers();
  if (stragglers > 0) problems.push(`${stragglers} process(es) survived the sweep`);
  for (const dir of SCRATCH_DIRS) {
    const left = scrub(dir);
    if (left.length) problems.push(`could not remove ${left.join(', ')}`);
  }
  active = null;
  const child = bootChild();
  child.cleanupMs = Date.now() - t0;
  child.clean = problems.length === 0;
  child.problems = problems.length ? problems : undefined;
}

/** Every process other than pid 1 (init) and ourselves is a leftover of the last job: kill it. */
async function sweepStragglers() {
  let alive = 0;
  for (let round = 0; round < SWEEP_ROUNDS; round++) {
    alive = 0;
    let zombies = 0;
    for (const name of fs.readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid === 1 || pid === process.pid) continue;
      let state = '?';
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      } catch {
        continue; // vanished
      }
      if (state === 'Z') {
        zombies++; // init reaps it
        continue;
      }
      alive++;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (alive === 0 && zombies === 0) return 0;
    await sleep(SWEEP_PAUSE_MS);
  }
  return alive;
}

function scrub(dir) {
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch {
    return []; // not mounted
  }
  const left = [];
  for (const name of names) {
    const p = path.join(dir, name);
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      try {
        makeWritable(p);
        fs.rmSync(p, { recursive: true, force: true });
      } catch {
        left.push(p);
      }
    }
  }
  return left;
}

function makeWritable(p) {
  const st = fs.lstatSync(p);
  if (!st.isDirectory()) return;
  fs.chmodSync(p, 0o700);
  for (const name of fs.readdirSync(p)) makeWritable(path.join(p, name));
}

function onHostMessage(msg) {
  if (msg.type === 'job') {
    if (!spare || active) {
      emit({ type: 'result', id: msg.id, ok: false, error: { code: 'CRASHED', message: 'runner was not ready for a job' }, logs: '' });
      return;
    }
    const child = spare;
    spare = null;
    const maxOutputBytes = Number.isFinite(msg.maxOutputBytes) ? msg.maxOutputBytes : 1 << 20;
    if (Number.isFinite(msg.maxLogBytes)) child.logs.max = msg.maxLogBytes;
    active = { id: msg.id, child, proc: child.proc, exited: child.exited, outputDrained: child.outputDrained, logs: child.logs, maxOutputBytes, calls: new Map(), reported: false };
    child.proc.send({ type: 'job', code: msg.code, fn: msg.fn, args: msg.args, maxOutputBytes });
  } else if (msg.type === 'recycle') {
    const job = finishedJob;
    if (!job || job.id !== msg.id) return;
    finishedJob = null;
    recycle(job).catch((err) => {
      emit({ type: 'fatal', message: `recycling failed: ${err && err.message}` });
      process.exit(1);
    });
  } else if (msg.type === 'reply') {
    const job = active;
    if (!job || job.reported || !job.calls.has(msg.callId)) return; // late reply for a finished job
    const childCallId = job.calls.get(msg.callId);
    job.calls.delete(msg.callId);
    job.proc.send({ type: 'reply', callId: childCallId, ok: msg.ok === true, result: msg.result, error: msg.error });
  }
}

function shutdown() {
  shuttingDown = true;
  for (const c of [spare, active]) {
    if (c && c.proc && c.proc.pid) {
      try {
        process.kill(-c.proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  process.exit(0);
}

// The straggler sweep kills every process it can; that is only sane inside the sandbox container,
// as the direct child of its init. Jobs must run as an unprivileged uid other than ours.
if (process.env.ECOLOGY_SANDBOX !== '1' || process.ppid !== 1 || !(JOB_UID > 0) || !process.getuid || process.getuid() === JOB_UID) {
  emit({ type: 'fatal', message: 'runner.js only runs inside the sandbox container (ECOLOGY_SANDBOX=1, child of its init, SANDBOX_JOB_UID another uid)' });
  process.exit(1);
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  if (msg && typeof msg === 'object') onHostMessage(msg);
});
rl.on('close', shutdown); // host went away (stdin closes with the attach connection): stop the container
process.on('SIGTERM', shutdown);
bootChild();
