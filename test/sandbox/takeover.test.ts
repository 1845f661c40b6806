/**
 * A job attacking its own container's supervisor (runner.js): the debugger (SIGUSR1 ->
 * 127.0.0.1:9229), signals, /proc of the supervisor, its IPC channels. None of it may work, and the
 * supervisor must serve the next job of the same warm container exactly as before: that job's code
 * and args stay private, it runs normally and nothing burns CPU between jobs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SandboxPool } from '../../src/sandbox';
import { debuggerAttack as attack } from './debuggerAttack';
import { docker, expectResult, makePool, sandboxImage, show, waitIdle } from './support';

let pool: SandboxPool;

beforeAll(async () => {
  pool = makePool(await sandboxImage(), { limits: { timeoutMs: 8_000 } });
});
afterAll(() => pool?.close());

/** Run in the supervisor if the attack gets there: record every later host message, burn CPU between jobs. */
const PLANT = `(() => {
  globalThis.__stash = globalThis.__stash || [];
  process.stdin.on('data', (d) => globalThis.__stash.push(String(d)));
  setInterval(() => { const end = Date.now() + 45; while (Date.now() < end); }, 50);
  return 'planted';
})()`;
const HARVEST = 'JSON.stringify(globalThis.__stash || null)';


function cpuNs(owner: string): bigint {
  const cg = pool.containers().find((c) => c.owner === owner)?.cgroup;
  if (!cg) throw new Error(`no cgroup for ${owner}: ${show(pool.containers())}`);
  const v1 = path.join(cg.cpu, 'cpuacct.usage');
  try {
    return BigInt(readFileSync(v1, 'utf8').trim());
  } catch {
    const usec = /usage_usec (\d+)/.exec(readFileSync(path.join(cg.cpu, 'cpu.stat'), 'utf8'))![1]!;
    return BigInt(usec) * 1000n;
  }
}

test("a job cannot open the supervisor's debugger, nor use it to watch, slow or charge later jobs of the same warm container", async () => {
  const owner = 'takeover-debugger';
  await pool.prewarm(owner);
  const planted = await pool.run({ owner, code: attack(PLANT) });
  expectResult(planted, { ok: true, coldStart: false });
  if (!planted.ok) return;
  const p = planted.value as { debugProcess: string; inspector: string; evaluated?: unknown };
  expect(p.evaluated).toBeUndefined();
  expect(p.inspector).toMatch(/^closed/);
  expect(p.debugProcess).toBe('EPERM'); // the job may not even signal the supervisor
  const containerId = pool.containers().find((c) => c.owner === owner)!.id;

  // Between jobs the supervisor is idle: nothing planted in it burns CPU that nobody pays for.
  await waitIdle(pool, owner);
  const idleStart = cpuNs(owner);
  await new Promise((r) => setTimeout(r, 1000));
  expect(Number(cpuNs(owner) - idleStart) / 1e6).toBeLessThan(250);

  // Another invoker's job in the same warm container runs normally.
  const victim = await pool.run({ owner, code: 'export function run(a) { return { got: a.secret, marker: "VICTIM-CODE-7c1" } }', args: { secret: 'victim-secret-4d2e' } });
  expectResult(victim, { ok: true, coldStart: false, value: { got: 'victim-secret-4d2e', marker: 'VICTIM-CODE-7c1' } });
  expect(victim.cpuMs).toBeGreaterThanOrEqual(1);
  expect(victim.cpuMs).toBeLessThan(250);

  // The attacker's next job cannot collect the victim's code or args, before or after it ran.
  const harvest = await pool.run({ owner, code: attack(HARVEST) });
  expectResult(harvest, { ok: true, coldStart: false });
  expect(show(harvest)).not.toContain('victim-secret-4d2e');
  expect(show(harvest)).not.toContain('VICTIM-CODE-7c1');
  if (harvest.ok) expect((harvest.value as { inspector: string }).inspector).toMatch(/^closed/);
  expect(pool.containers().find((c) => c.owner === owner)?.id).toBe(containerId);
}, 60_000);

test('a job can neither signal the supervisor nor read or write its memory, environment, file descriptors or IPC channels', async () => {
  const owner = 'takeover-proc';
  const code = `
import fs from 'node:fs';
import os from 'node:os';
export function run() {
  const ppid = process.ppid;
  const attempt = (f) => { try { const v = f(); return v === undefined ? 'ok' : v; } catch (e) { return e.code || String(e); } };
  const signals = {};
  // Harmless ones first: a signal that gets through may stop or kill the supervisor.
  const names = Object.keys(os.constants.signals).sort((a, b) => (['SIGKILL', 'SIGSTOP', 'SIGTERM'].includes(a) ? 1 : 0) - (['SIGKILL', 'SIGSTOP', 'SIGTERM'].includes(b) ? 1 : 0));
  signals['0'] = attempt(() => { process.kill(ppid, 0); return 'sent'; });
  const proc = {};
  for (const f of ['mem', 'environ', 'maps', 'stack', 'syscall', 'auxv']) proc[f] = attempt(() => fs.readFileSync('/proc/' + ppid + '/' + f).length);
  proc.fd = attempt(() => fs.readdirSync('/proc/' + ppid + '/fd').length);
  const writes = {};
  for (let fd = 0; fd < 8; fd++) writes[fd] = attempt(() => { const h = fs.openSync('/proc/' + ppid + '/fd/' + fd, 'w'); fs.writeSync(h, '{"type":"result","id":"forged","ok":true,"value":"forged"}\\n'); fs.closeSync(h); return 'wrote'; });
  const init = { environ: attempt(() => fs.readFileSync('/proc/1/environ').length), kill: attempt(() => { process.kill(1, 0); return 'sent'; }) };
  for (const name of names) signals[name] = attempt(() => { process.kill(ppid, name); return 'sent'; });
  return { signals, proc, writes, init, uid: process.getuid(), supervisorUid: fs.statSync('/proc/' + ppid).uid };
}`;
  await pool.prewarm(owner);
  const r = await pool.run({ owner, code });
  expectResult(r, { ok: true, coldStart: false });
  if (!r.ok) return;
  const v = r.value as { signals: Record<string, string>; proc: Record<string, unknown>; writes: Record<string, string>; init: Record<string, unknown>; uid: number; supervisorUid: number };
  expect(v.uid).not.toBe(v.supervisorUid);
  for (const [sig, outcome] of Object.entries(v.signals)) expect(`${sig}: ${outcome}`).toBe(`${sig}: EPERM`);
  for (const [f, outcome] of Object.entries(v.proc)) expect(`${f}: ${String(outcome)}`).toBe(`${f}: EACCES`);
  for (const [fd, outcome] of Object.entries(v.writes)) expect(['EACCES', 'ENOENT']).toContain(outcome === 'wrote' ? `fd ${fd} written` : outcome);
  expect(v.init).toEqual({ environ: 'EACCES', kill: 'EPERM' });

  // The supervisor itself is untouched: the next job runs in the same warm container and is charged.
  const id = pool.containers().find((c) => c.owner === owner)!.id;
  const next = await pool.run({ owner, code: 'export function run(a) { return a.n * 2 }', args: { n: 21 } });
  expectResult(next, { ok: true, value: 42, coldStart: false });
  expect(next.cpuMs).toBeGreaterThanOrEqual(1);
  expect(pool.containers().find((c) => c.owner === owner)?.id).toBe(id);
}, 60_000);

test('garbage on the job\'s own IPC channel fails only that job; the supervisor serves the next one', async () => {
  const owner = 'takeover-ipc';
  const code = "import fs from 'node:fs'; export function run() { fs.writeSync(3, 'not json at all\\n{\"type\":\"result\",\"ok\":true,\"value\":\"forged\",\"id\":\"x\"\\n'); return new Promise((r) => setTimeout(() => r('survived'), 300)); }";
  await pool.prewarm(owner);
  const r = await pool.run({ owner, code });
  // Whatever the job's own process makes of it, the result is its own (never another job's, never a host-only code).
  if (r.ok) expect(r.value).toBe('survived');
  else expect(['CODE_THREW', 'CRASHED']).toContain(r.error.code);
  const next = await pool.run({ owner, code: 'export function run() { return "next" }' });
  expectResult(next, { ok: true, value: 'next' });
}, 60_000);

test('files a job locks against removal are still cleared before the next job, which keeps the warm container', async () => {
  const owner = 'takeover-tmp';
  const plant = `
import fs from 'node:fs';
export function run() {
  fs.mkdirSync('/tmp/locked/deeper', { recursive: true });
  fs.writeFileSync('/tmp/locked/deeper/note', 'left for the next job');
  fs.chmodSync('/tmp/locked/deeper', 0o000);
  fs.chmodSync('/tmp/locked', 0o1000);
  fs.writeFileSync('/tmp/readonly', 'x', { mode: 0o000 });
  return fs.readdirSync('/tmp').sort();
}`;
  await pool.prewarm(owner);
  const planted = await pool.run({ owner, code: plant });
  expectResult(planted, { ok: true, value: ['locked', 'readonly'] });
  const next = await pool.run({ owner, code: "import fs from 'node:fs'; export function run() { return fs.readdirSync('/tmp') }" });
  expectResult(next, { ok: true, value: [], coldStart: false });
}, 60_000);

test('even a SIGUSR1 that reaches the supervisor (from the host, through init) does not open its debugger', async () => {
  const owner = 'takeover-sigusr1';
  await pool.prewarm(owner);
  const id = pool.containers().find((c) => c.owner === owner)!.id;
  await docker.getContainer(id).kill({ signal: 'SIGUSR1' }); // init forwards it to the supervisor
  await new Promise((r) => setTimeout(r, 500));
  const probe = `export async function run() {
  try { await (await fetch('http://127.0.0.1:9229/json/list')).json(); return 'open'; } catch (e) { return 'closed: ' + ((e.cause && e.cause.code) || e.message); }
}`;
  const r = await pool.run({ owner, code: probe });
  expectResult(r, { ok: true, coldStart: false, value: 'closed: ECONNREFUSED' });
  expect(pool.containers().find((c) => c.owner === owner)?.id).toBe(id);
}, 60_000);
