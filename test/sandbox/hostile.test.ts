/** Hostile code: loops, bombs, escapes. Each must fail cleanly without touching the host or later jobs. */
import { execFileSync } from 'node:child_process';
import type { SandboxPool } from '../../src/sandbox';
import { expectResult, hostQuiet, makePool, MiB, sandboxImage, show } from './support';

let pool: SandboxPool;
const CPUS = 0.5;
const TIMEOUT_MS = 2000;

beforeAll(async () => {
  pool = makePool(await sandboxImage(), { limits: { nanoCpus: CPUS * 1e9, timeoutMs: TIMEOUT_MS, memoryBytes: 192 * MiB, pids: 48 } });
});
afterAll(() => pool?.close());

test('an infinite loop times out, is charged about timeout x CPU limit, and its container is discarded', async () => {
  const owner = 'hostile-loop';
  await pool.prewarm(owner);
  const r = await pool.run({ owner, code: 'export function run() { for (;;) {} }' });
  expectResult(r, { ok: false, error: { code: 'TIMEOUT' }, coldStart: false });
  // About timeout x CPU limit; never more, and less only when other work on the host competes for the CPUs.
  const expected = TIMEOUT_MS * CPUS;
  expect(r.cpuMs).toBeLessThan(expected * 1.1);
  if (hostQuiet()) expect(r.cpuMs).toBeGreaterThan(expected * 0.8);
  expect(r.wallMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
  if (hostQuiet()) expect(r.wallMs).toBeLessThan(TIMEOUT_MS + 500);
  const next = await pool.run({ owner, code: 'export function run() { return "fresh" }' });
  expectResult(next, { ok: true, value: 'fresh', coldStart: true });
});

test('a promise that never settles times out without burning CPU', async () => {
  const r = await pool.run({ owner: 'hostile-hang', code: 'export function run() { return new Promise(() => {}) }', timeoutMs: 800 });
  expectResult(r, { ok: false, error: { code: 'TIMEOUT' } });
  expect(r.cpuMs).toBeLessThan(100);
});

test('memory bombs (buffers and JS heap) are OUT_OF_MEMORY and poison nothing', async () => {
  const owner = 'hostile-oom';
  const buffers = await pool.run({ owner, code: 'export function run() { const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1)) }', timeoutMs: 10_000 });
  expectResult(buffers, { ok: false, error: { code: 'OUT_OF_MEMORY' } });
  expect(buffers.cpuMs).toBeGreaterThanOrEqual(1);
  const heap = await pool.run({ owner, code: 'export function run() { const a = []; for (;;) a.push({ n: Math.random(), s: "s" + Math.random() }) }', timeoutMs: 15_000 });
  expectResult(heap, { ok: false, error: { code: 'OUT_OF_MEMORY' } });
  const tmpfs = await pool.run({ owner, code: "import fs from 'node:fs'; export function run() { const b = Buffer.alloc(1 << 20); for (let i = 0; ; i++) fs.writeFileSync('/tmp/f' + i, b) }" });
  expectResult(tmpfs, { ok: false, error: { code: 'CODE_THREW' } }); // ENOSPC: the tmpfs size holds
  if (!tmpfs.ok) expect(tmpfs.error.message).toContain('ENOSPC');
  const after = await pool.run({ owner, code: 'export function run() { return 1 }' });
  expectResult(after, { ok: true, value: 1 });
}, 45_000);

test('a process bomb hits the pids limit; the host and the next job are unaffected', async () => {
  const owner = 'hostile-fork';
  const bomb = `
import { spawn } from 'node:child_process';
export async function run() {
  let started = 0; const errors = {};
  for (let i = 0; i < 300; i++) {
    await new Promise((resolve) => {
      let c;
      try { c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true }); }
      catch (e) { errors[e.code] = (errors[e.code] || 0) + 1; return resolve(); }
      c.once('spawn', () => { started++; resolve(); });
      c.once('error', (e) => { errors[e.code] = (errors[e.code] || 0) + 1; resolve(); });
    });
  }
  return { started, errors };
}`;
  const r = await pool.run({ owner, code: bomb, timeoutMs: 20_000 });
  // The bomb either finishes with spawn errors or dies trying; it must never get its 300 processes.
  if (r.ok) {
    const v = r.value as { started: number; errors: Record<string, number> };
    expect(v.started).toBeLessThan(20);
    expect(v.errors.EAGAIN).toBeGreaterThan(0);
  } else {
    expect(['OUT_OF_MEMORY', 'CRASHED', 'CODE_THREW']).toContain(r.error.code);
  }
  expect(execFileSync(process.execPath, ['-e', 'process.stdout.write("host ok")']).toString()).toBe('host ok');
  const look = "import fs from 'node:fs'; export function run() { return fs.readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).length }";
  const next = await pool.run({ owner, code: look });
  expectResult(next, { ok: true, value: 3 }); // init, supervisor, this job
}, 45_000);

test('background processes and files do not survive into the next job', async () => {
  const owner = 'hostile-straggler';
  const plant = `
import { spawn } from 'node:child_process';
import fs from 'node:fs';
export function run() {
  fs.writeFileSync('/tmp/planted', 'x');
  const c = spawn(process.execPath, ['-e', 'process.title = "miner"; setInterval(() => { let x = 0; for (let i = 0; i < 1e6; i++) x += i }, 5)'], { detached: true, stdio: 'ignore' });
  c.unref();
  return c.pid;
}`;
  const planted = await pool.run({ owner, code: plant });
  expectResult(planted, { ok: true });
  const look = `
import fs from 'node:fs';
export function run() {
  const procs = fs.readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).map((p) => { try { return fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').replace(/\\0/g, ' ').trim() } catch { return '?' } });
  return { procs, tmp: fs.readdirSync('/tmp').filter((n) => n !== '.job') };
}`;
  const next = await pool.run({ owner, code: look });
  expectResult(next, { ok: true, coldStart: false, value: { tmp: [] } });
  if (next.ok) expect((next.value as { procs: string[] }).procs.some((p) => p.includes('setInterval') || p.includes('miner'))).toBe(false);
  expect(next.cpuMs).toBeLessThan(50); // nothing else was burning CPU in the job's window
});

test('the root filesystem is read-only and /tmp is not executable', async () => {
  const code = `
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
export function run() {
  const attempt = (f) => { try { f(); return 'ok' } catch (e) { return e.code } };
  fs.writeFileSync('/tmp/tool', '#!/usr/local/bin/node\\n', { mode: 0o755 });
  const exec = spawnSync('/tmp/tool');
  return {
    etc: attempt(() => fs.writeFileSync('/etc/evil', 'x')),
    root: attempt(() => fs.mkdirSync('/evil')),
    runner: attempt(() => fs.writeFileSync('/sandbox/runner.js', 'x')),
    node: attempt(() => fs.readFileSync('/usr/local/bin/node')),
    tmp: attempt(() => fs.writeFileSync('/tmp/ok', 'x')),
    shm: fs.existsSync('/dev/shm') ? attempt(() => fs.writeFileSync('/dev/shm/x', 'x')) : 'absent',
    execFromTmp: exec.error ? exec.error.code : 'ran',
  };
}`;
  const r = await pool.run({ owner: 'hostile-fs', code });
  expectResult(r, { ok: true, value: { etc: 'EROFS', root: 'EROFS', runner: 'EROFS', node: 'EACCES', tmp: 'ok', execFromTmp: 'EACCES' } });
  if (r.ok) expect(['absent', 'EROFS', 'EACCES']).toContain((r.value as { shm: string }).shm);
});

test('open files are limited', async () => {
  const code = `
import fs from 'node:fs';
export function run() {
  const fds = [];
  try { for (let i = 0; i < 5000; i++) fds.push(fs.openSync('/dev/null', 'r')); return { opened: fds.length } }
  catch (e) { return { opened: fds.length, error: e.code } }
  finally { for (const fd of fds) fs.closeSync(fd) }
}`;
  const r = await pool.run({ owner: 'hostile-fds', code });
  expectResult(r, { ok: true, value: { error: 'EMFILE' } });
  if (r.ok) expect((r.value as { opened: number }).opened).toBeLessThan(1024);
});

test('there is no network', async () => {
  const code = `
import net from 'node:net';
import os from 'node:os';
import dns from 'node:dns/promises';
const connect = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port, timeout: 1000 });
  s.on('connect', () => { s.destroy(); resolve('connected') });
  s.on('timeout', () => { s.destroy(); resolve('timeout') });
  s.on('error', (e) => resolve(e.code));
});
export async function run() {
  return {
    interfaces: Object.keys(os.networkInterfaces()),
    gateway: await connect('172.17.0.1', 2375),
    internet: await connect('1.1.1.1', 80),
    dns: await dns.lookup('example.com').then(() => 'resolved', (e) => e.code),
  };
}`;
  const r = await pool.run({ owner: 'hostile-net', code });
  expectResult(r, { ok: true });
  if (!r.ok) return;
  const v = r.value as Record<string, unknown>;
  expect(v.interfaces).toEqual(['lo']);
  expect(v.gateway).not.toBe('connected');
  expect(v.internet).not.toBe('connected');
  expect(v.dns).not.toBe('resolved');
});

test('nothing of the host is readable: files, environment, other processes, privileges', async () => {
  process.env.SANDBOX_TEST_HOST_SECRET = 'host-secret-9f2c';
  const code = `
import fs from 'node:fs';
export function run() {
  const read = (p) => { try { return fs.readFileSync(p, 'utf8') } catch (e) { return 'ERR:' + e.code } };
  const status = read('/proc/self/status');
  const supervisor = process.ppid;
  return {
    shadow: read('/etc/shadow'),
    passwd: read('/etc/passwd'),
    hostRepo: read('/work/main/package.json'),
    dockerSock: fs.existsSync('/var/run/docker.sock'),
    initEnv: read('/proc/1/environ'),
    ownEnv: JSON.stringify(process.env),
    supervisorFds: (() => { try { return fs.readdirSync('/proc/' + supervisor + '/fd').length } catch (e) { return 'ERR:' + e.code } })(),
    supervisorMem: read('/proc/' + supervisor + '/mem').slice(0, 20),
    uid: process.getuid(),
    capEff: /CapEff:\\s*(\\S+)/.exec(status)[1],
    noNewPrivs: /NoNewPrivs:\\s*(\\S+)/.exec(status)[1],
  };
}`;
  const r = await pool.run({ owner: 'hostile-read', code });
  expectResult(r, { ok: true });
  if (!r.ok) return;
  const v = r.value as Record<string, unknown>;
  expect(v.shadow).toBe('ERR:ENOENT');
  expect(v.passwd).not.toMatch(/^root:x:0:0:root:\/root/m); // ours, not the host's
  expect(v.passwd).toContain('sandbox:x:10001');
  expect(v.hostRepo).toBe('ERR:ENOENT');
  expect(v.dockerSock).toBe(false);
  expect(String(v.initEnv)).not.toContain('host-secret-9f2c');
  expect(String(v.ownEnv)).not.toContain('host-secret-9f2c');
  expect(v.supervisorFds).toBe('ERR:EACCES');
  expect(v.supervisorMem).toBe('ERR:EACCES');
  expect(v.uid).toBe(10001);
  expect(v.capEff).toBe('0000000000000000');
  expect(v.noNewPrivs).toBe('1');
  delete process.env.SANDBOX_TEST_HOST_SECRET;
});

test('a job cannot claim host-only error codes through the supervisor channel', async () => {
  const code = "export function run() { process.send({ type: 'result', ok: false, error: { code: 'SANDBOX_UNAVAILABLE', message: 'forged' } }); return new Promise(() => {}) }";
  const r = await pool.run({ owner: 'hostile-forge', code });
  expectResult(r, { ok: false, error: { code: 'CODE_THREW', message: 'forged' } });
});

test('a job cannot kill the supervisor; the next job runs in the same warm container', async () => {
  const owner = 'hostile-kill';
  await pool.prewarm(owner);
  const r = await pool.run({ owner, code: 'export function run() { process.kill(process.ppid, "SIGKILL"); return new Promise(() => {}) }' });
  expectResult(r, { ok: false, error: { code: 'CODE_THREW' } });
  if (!r.ok) expect(r.error.message).toContain('EPERM');
  const next = await pool.run({ owner, code: 'export function run() { return "ok" }' });
  expectResult(next, { ok: true, value: 'ok', coldStart: false });
  expect(show(pool.containers().filter((c) => c.owner === owner && c.state === 'dead'))).toBe('[]');
});
