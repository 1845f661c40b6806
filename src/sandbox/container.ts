/**
 * One warm sandbox container and the host half of the runner protocol (see runner/runner.js).
 *
 * Lifecycle: starting -> idle <-> busy -> recycling -> idle ... -> dead. A container that timed out,
 * ran out of memory, crashed, broke the protocol or came back dirty from recycling is destroyed,
 * never reused. Everything that decides money (CPU time, OOM, time limit) is measured here, from
 * outside the container.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { deadline } from '../deadline';
import { locateCgroup, type CgroupProbe } from './cgroup';
import { SANDBOX_UID, SUPERVISOR_UID } from './image';
import { LineSplitter } from './lines';
import { jobHeapMiB, type BridgeHandler, type RunResult, type SandboxError, type SandboxErrorCode, type SandboxLimits } from './types';
import { errorCodeOf, type ErrorInfo } from '../errors';

export interface ContainerConfig {
  docker: Docker;
  image: string;
  /** Ask Docker for its init (tini) because the image carries none. */
  useDockerInit: boolean;
  limits: SandboxLimits;
  owner: string;
  /** Whose share of the pool the container counts against (the pool's RunRequest.account); default owner. */
  account?: string;
  labels: Record<string, string>;
  /** How long create + start + the runner's first 'ready' may take. */
  startTimeoutMs: number;
  /** How often CPU is sampled during a job, so a container that dies mid-job is still charged. */
  cpuSampleMs: number;
}

export interface JobSpec {
  code: string;
  fn: string;
  args: unknown;
  onCall?: BridgeHandler;
  timeoutMs: number;
  maxOutputBytes: number;
}

type State = 'starting' | 'idle' | 'busy' | 'recycling' | 'dead';

interface ActiveJob {
  id: string;
  spec: JobSpec;
  startedAt: number;
  cpuStart: bigint | null;
  cpuLast: bigint | null;
  oomStart: number | null;
  timer: NodeJS.Timeout;
  sampler?: NodeJS.Timeout;
  resolve: (r: RunResult) => void;
  done: boolean;
  settling?: boolean;
}

interface RunnerMessage {
  type?: string;
  id?: string;
  job?: string;
  callId?: number;
  op?: string;
  payload?: unknown;
  ok?: boolean;
  value?: unknown;
  error?: { code?: string; message?: string };
  logs?: string;
  exit?: { code: number | null; signal: string | null };
  clean?: boolean;
  problems?: string[];
  message?: string;
}

const MiB = 1024 * 1024;
/** The codes a job may claim in its result line (the container is untrusted: no others). */
const JOB_ERROR_CODES: readonly SandboxErrorCode[] = ['CODE_THREW', 'INVALID_CODE', 'OUTPUT_TOO_LARGE', 'OUTPUT_NOT_JSON', 'NO_SUCH_FUNCTION', 'OUT_OF_MEMORY', 'CRASHED'];
/** Room for the envelope and the escaped log tail around a result of maxOutputBytes. */
const LINE_OVERHEAD_BYTES = 64 * 1024;
const STDERR_TAIL_CHARS = 4000;

export function containerCreateOptions(cfg: ContainerConfig): Docker.ContainerCreateOptions {
  const { limits } = cfg;
  return {
    Image: cfg.image,
    Labels: cfg.labels,
    // The supervisor runs as root with only the capabilities below; each job runs as SANDBOX_UID with
    // none, so a job can neither signal, ptrace nor debug the supervisor (see runner/runner.js).
    User: `${SUPERVISOR_UID}:${SUPERVISOR_UID}`,
    WorkingDir: '/tmp',
    Env: [`SANDBOX_JOB_HEAP_MB=${jobHeapMiB(limits)}`, `SANDBOX_JOB_UID=${SANDBOX_UID}`],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true, // stdin closes when our attach connection does: the runner exits if this process dies
    Tty: false,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=${limits.tmpfsBytes}` },
      IpcMode: 'none', // private IPC namespace and no writable /dev/shm
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes, // equal to Memory: no swap
      NanoCpus: limits.nanoCpus,
      PidsLimit: limits.pids,
      CapDrop: ['ALL'],
      // Start jobs as another uid (SETUID, SETGID), kill them (KILL), empty /tmp of whatever they
      // left, however they set its modes (DAC_OVERRIDE, FOWNER). Jobs lose all of these at setuid.
      CapAdd: ['SETUID', 'SETGID', 'KILL', 'DAC_OVERRIDE', 'FOWNER'],
      SecurityOpt: ['no-new-privileges'],
      Init: cfg.useDockerInit || undefined,
      AutoRemove: false, // we inspect dead containers (OOMKilled) before removing them ourselves
      LogConfig: { Type: 'none', Config: {} }, // protocol traffic is not worth keeping on disk
      Ulimits: [
        { Name: 'core', Soft: 0, Hard: 0 },
        { Name: 'nofile', Soft: limits.maxOpenFiles, Hard: limits.maxOpenFiles },
      ],
    },
  };
}

export class SandboxContainer extends EventEmitter {
  state: State = 'starting';
  id = '';
  lastUsedAt = Date.now();
  /** Milliseconds from create to the runner's first 'ready'. */
  startMs = 0;
  jobsRun = 0;
  /** Host-measured time from the last result to 'ready' again (kill, sweep, scrub, boot the next job process). */
  lastRecycleMs: number | null = null;
  private recycleStartedAt = 0;
  cpuSource: 'cgroup' | 'docker-stats' = 'cgroup';
  cgroupPaths: CgroupProbe['paths'] | null = null;

  private container?: Docker.Container;
  private stream?: NodeJS.ReadWriteStream;
  private probe: CgroupProbe | null = null;
  private baselineProcs: number | null = null;
  private readonly splitter: LineSplitter;
  private stderrTail = '';
  private job: ActiveJob | null = null;
  private readyWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private removal: Promise<void> | null = null;
  /** Why the container was destroyed, for diagnostics. */
  deathReason = '';
  private goneHandled = false;
  private recycleTimer?: NodeJS.Timeout;

  private constructor(private readonly cfg: ContainerConfig) {
    super();
    this.splitter = new LineSplitter(LINE_OVERHEAD_BYTES, (line) => this.onLine(line), () => this.onProtocolError('a line from the runner exceeded the size limit'));
  }

  get owner(): string {
    return this.cfg.owner;
  }

  get account(): string {
    return this.cfg.account ?? this.cfg.owner;
  }

  static async start(cfg: ContainerConfig): Promise<SandboxContainer> {
    const box = new SandboxContainer(cfg);
    const t0 = performance.now();
    try {
      await box.boot();
    } catch (err) {
      const detail = await box.exitDetail();
      await box.destroy(`start failed: ${(err as Error).message}`);
      if (detail) (err as Error).message += ` (${detail})`;
      throw err;
    }
    box.startMs = Math.round(performance.now() - t0);
    return box;
  }

  private async boot(): Promise<void> {
    const { docker } = this.cfg;
    const container = await docker.createContainer(containerCreateOptions(this.cfg));
    this.container = container;
    this.id = container.id;
    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
    this.stream = stream;
    const out = new PassThrough();
    const err = new PassThrough();
    docker.modem.demuxStream(stream, out, err);
    out.on('data', (chunk: Buffer) => this.splitter.push(chunk));
    err.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    stream.on('end', () => this.onGone('the container exited'));
    stream.on('close', () => this.onGone('the container exited'));
    stream.on('error', (e: Error) => this.onGone(`connection to the container failed: ${e.message}`));

    const ready = new Promise<void>((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
    });
    ready.catch(() => undefined); // may be rejected by destroy() before anyone awaits it
    // One deadline for starting the container and its runner's ready line.
    const startup = deadline(this.cfg.startTimeoutMs, `the sandbox runner did not become ready within ${this.cfg.startTimeoutMs} ms`);
    try {
      await startup.race(container.start());
      this.probe = locateCgroup(this.id);
      if (!this.probe) {
        const info = await container.inspect();
        this.probe = locateCgroup(this.id, info.State?.Pid);
      }
      if (this.probe) this.cgroupPaths = this.probe.paths;
      else this.cpuSource = 'docker-stats';
      await startup.race(ready);
    } finally {
      startup.clear();
      this.readyWaiter = null;
    }
    this.baselineProcs = this.probe?.liveProcesses() ?? null;
    this.state = 'idle';
  }

  /** Why a container that failed to start stopped, as far as Docker and its stderr tell. */
  private async exitDetail(): Promise<string> {
    const parts: string[] = [];
    if (this.container) {
      const info = await this.container.inspect().catch(() => null);
      const st = info?.State;
      if (st && !st.Running) parts.push(`state ${st.Status}, exit code ${st.ExitCode}${st.OOMKilled ? ', OOM-killed' : ''}${st.Error ? `, ${st.Error}` : ''}`);
    }
    if (this.stderrTail.trim()) parts.push(`stderr: ${this.stderrTail.trim().slice(-1000)}`);
    return parts.join('; ');
  }

  /** Claim an idle container for one job (the pool does this before run). */
  reserve(): void {
    if (this.state !== 'idle') throw new Error(`container ${this.id} is ${this.state}, not idle`);
    this.state = 'busy';
    this.lastUsedAt = Date.now();
  }

  /** Give back a reserved container without running a job. */
  release(): void {
    if (this.state !== 'busy' || this.job) return;
    this.state = 'idle';
    this.emit('idle');
  }

  async run(spec: JobSpec): Promise<RunResult> {
    if (this.state === 'dead') {
      return { ok: false, error: { code: 'CRASHED', message: `the sandbox container went away before the job started: ${this.deathReason}` }, cpuMs: 0, wallMs: 0 };
    }
    if (this.state !== 'busy' || this.job) throw new Error(`container ${this.id} was not reserved for a job`);
    const id = randomUUID();
    const cpuStart = await this.sampleCpu();
    const oomStart = this.probe?.oomKills() ?? null;
    if (this.state !== 'busy') {
      // The container died while we sampled (only possible with the docker-stats fallback).
      return { ok: false, error: { code: 'CRASHED', message: `the sandbox container went away before the job started: ${this.deathReason}` }, cpuMs: 0, wallMs: 0 };
    }
    this.splitter.limit = spec.maxOutputBytes + LINE_OVERHEAD_BYTES + 6 * this.cfg.limits.maxLogBytes;
    return new Promise<RunResult>((resolve) => {
      const job: ActiveJob = {
        id,
        spec,
        startedAt: performance.now(),
        cpuStart,
        cpuLast: cpuStart,
        oomStart,
        resolve,
        done: false,
        timer: setTimeout(() => void this.onTimeout(job), spec.timeoutMs),
      };
      if (this.probe && this.cfg.cpuSampleMs > 0) {
        job.sampler = setInterval(() => {
          const v = this.probe?.cpuUsageNs();
          if (v != null) job.cpuLast = v;
        }, this.cfg.cpuSampleMs);
      }
      this.job = job;
      const line = JSON.stringify({
        type: 'job',
        id,
        code: spec.code,
        fn: spec.fn,
        args: spec.args,
        maxOutputBytes: spec.maxOutputBytes,
        maxLogBytes: this.cfg.limits.maxLogBytes,
      });
      this.write(line);
    });
  }

  /** Kill and remove; idempotent. A running job ends as CRASHED with `reason`. */
  destroy(reason: string): Promise<void> {
    if (this.removal) return this.removal;
    this.deathReason ||= reason;
    const wasAlive = this.state !== 'dead';
    this.state = 'dead';
    clearTimeout(this.recycleTimer);
    if (this.job && !this.job.done && !this.job.settling) void this.settleAbnormal(this.job, 'CRASHED', reason, null);
    this.readyWaiter?.reject(new Error(reason));
    const container = this.container;
    this.removal = (async () => {
      try {
        this.stream?.end();
      } catch {
        /* already closed */
      }
      if (container) await container.remove({ force: true, v: true }).catch(() => undefined);
    })();
    if (wasAlive) this.emit('dead', reason);
    return this.removal;
  }

  // --- protocol ---------------------------------------------------------------------------------

  private write(line: string): void {
    try {
      this.stream?.write(`${line}\n`);
    } catch (err) {
      this.onGone(`writing to the container failed: ${(err as Error).message}`);
    }
  }

  private onLine(line: string): void {
    let msg: RunnerMessage;
    try {
      msg = JSON.parse(line) as RunnerMessage;
    } catch {
      return this.onProtocolError('the runner wrote a line that is not JSON');
    }
    switch (msg.type) {
      case 'ready':
        return this.onReady(msg);
      case 'call':
        if (this.job && !this.job.done && msg.job === this.job.id) this.onCall(this.job, msg);
        return;
      case 'result':
        if (this.job && !this.job.done && msg.id === this.job.id) void this.onResult(this.job, msg);
        return;
      case 'fatal':
        this.stderrTail = `${this.stderrTail}\n${String(msg.message ?? '')}`.slice(-STDERR_TAIL_CHARS);
        void this.destroy(`the sandbox runner failed: ${String(msg.message ?? 'unknown error')}`);
        return;
      default:
        return;
    }
  }

  private onReady(msg: RunnerMessage): void {
    if (this.state === 'starting') {
      this.readyWaiter?.resolve();
      return;
    }
    if (this.state !== 'recycling') return; // a spare was replaced while idle, or noise while busy
    clearTimeout(this.recycleTimer);
    // Never trust the runner alone that the last job left nothing behind: count processes ourselves.
    const procs = this.probe?.liveProcesses() ?? null;
    if (msg.clean === false || (procs !== null && this.baselineProcs !== null && procs > this.baselineProcs)) {
      const why = msg.problems?.join('; ') || `${procs} processes alive, expected ${this.baselineProcs}`;
      void this.destroy(`the container was not clean after a job: ${why}`);
      return;
    }
    this.state = 'idle';
    this.lastUsedAt = Date.now();
    this.lastRecycleMs = Math.round(performance.now() - this.recycleStartedAt);
    this.emit('idle');
  }

  private onCall(job: ActiveJob, msg: RunnerMessage): void {
    const callId = msg.callId;
    const reply = (body: { ok: true; result: unknown } | { ok: false; error: ErrorInfo }) => {
      if (this.job !== job || job.done || this.state === 'dead') return; // the job ended meanwhile
      let line: string;
      try {
        line = JSON.stringify({ type: 'reply', callId, ...body, ...(body.ok ? { result: body.result ?? null } : {}) });
      } catch (err) {
        line = JSON.stringify({ type: 'reply', callId, ok: false, error: { code: 'CALL_FAILED', message: `the host's answer is not JSON: ${(err as Error).message}` } });
      }
      this.write(line);
    };
    const handler = job.spec.onCall;
    if (!handler) {
      reply({ ok: false, error: { code: 'NOT_SUPPORTED', message: `ctx.${String(msg.op)} is not available in this run` } });
      return;
    }
    Promise.resolve()
      .then(() => handler(String(msg.op), msg.payload))
      .then(
        (result) => reply({ ok: true, result }),
        (err: unknown) => {
          const e = err as { code?: unknown; message?: unknown };
          reply({
            ok: false,
            error: { code: errorCodeOf(e?.code, 'CALL_FAILED'), message: typeof e?.message === 'string' ? e.message : String(err) },
          });
        },
      );
  }

  private async onResult(job: ActiveJob, msg: RunnerMessage): Promise<void> {
    const cpuEnd = await this.sampleCpu();
    const measures = this.measures(job, cpuEnd, msg.logs);
    const oomKilled = this.oomSince(job);
    if (msg.ok === true && !oomKilled) {
      this.finishJob(job, { ok: true, value: msg.value ?? null, ...measures }, 'recycle');
      return;
    }
    // The container is untrusted: it may only claim the codes a job can cause.
    const claimed = String(msg.error?.code ?? 'CRASHED');
    const code = JOB_ERROR_CODES.find((c) => c === claimed) ?? 'CODE_THREW';
    const message = String(msg.error?.message ?? 'the job failed');
    // A dead job process (or an OOM kill anywhere in the container) poisons the container.
    const poisoned = oomKilled || code === 'CRASHED' || code === 'OUT_OF_MEMORY' || msg.exit != null;
    const error: SandboxError = oomKilled ? this.oomError() : { code, message };
    this.finishJob(job, { ok: false, error, ...measures }, poisoned ? 'destroy' : 'recycle');
  }

  private async onTimeout(job: ActiveJob): Promise<void> {
    if (job.done) return;
    const cpuEnd = await this.sampleCpu();
    if (job.done) return;
    const error: SandboxError = this.oomSince(job) ? this.oomError() : { code: 'TIMEOUT', message: `the job exceeded its time limit of ${job.spec.timeoutMs} ms` };
    this.finishJob(job, { ok: false, error, ...this.measures(job, cpuEnd, undefined) }, 'destroy');
  }

  private onProtocolError(what: string): void {
    if (this.job && !this.job.done) void this.settleAbnormal(this.job, 'CRASHED', `sandbox protocol violation: ${what}`, null);
    void this.destroy(`sandbox protocol violation: ${what}`);
  }

  /** The container (or our connection to it) went away. */
  private onGone(reason: string): void {
    if (this.goneHandled) return;
    this.goneHandled = true;
    const job = this.job;
    if (job && !job.done && !job.settling) {
      const detail = this.stderrTail.trim() ? `: ${this.stderrTail.trim().slice(-500)}` : '';
      // Inspect (OOMKilled) before removing the container.
      void this.settleAbnormal(job, 'CRASHED', `${reason}${detail}`, this.container ?? null).finally(() => void this.destroy(reason));
    } else {
      void this.destroy(reason);
    }
  }

  /** Ends a job whose container died or misbehaved; checks the host's evidence of an OOM kill first. */
  private async settleAbnormal(job: ActiveJob, code: SandboxErrorCode, message: string, container: Docker.Container | null): Promise<void> {
    if (job.done || job.settling) return;
    job.settling = true;
    const cpuNow = this.probe?.cpuUsageNs() ?? null; // usually gone already; fall back to the last sample
    let oom = this.oomSince(job);
    if (!oom && container) {
      oom = await container.inspect().then((i) => Boolean(i.State?.OOMKilled), () => false);
    }
    if (job.done) return;
    const error: SandboxError = oom ? this.oomError() : { code, message };
    this.finishJob(job, { ok: false, error, ...this.measures(job, cpuNow ?? job.cpuLast, undefined) }, 'destroy');
  }

  private finishJob(job: ActiveJob, result: RunResult, next: 'recycle' | 'destroy'): void {
    if (job.done) return;
    job.done = true;
    clearTimeout(job.timer);
    if (job.sampler) clearInterval(job.sampler);
    if (this.job === job) this.job = null;
    this.jobsRun++;
    this.lastUsedAt = Date.now();
    if (next === 'destroy') void this.destroy(result.ok ? 'discarded' : `discarded after ${result.error.code}`);
    else if (this.state === 'busy') {
      this.state = 'recycling';
      this.recycleStartedAt = performance.now();
      // The CPU reading is taken: only now may the runner clean up and boot the next job process
      // (tens of ms of CPU that must not fall into this job's window). If it never says 'ready'
      // again, give up on the container.
      this.write(JSON.stringify({ type: 'recycle', id: job.id }));
      this.recycleTimer = setTimeout(() => {
        if (this.state === 'recycling') void this.destroy('the runner did not become ready again after a job');
      }, this.cfg.startTimeoutMs);
    }
    job.resolve(result);
  }

  // --- measurement ------------------------------------------------------------------------------

  private measures(job: ActiveJob, cpuEnd: bigint | null, logs: string | undefined): { cpuMs: number; wallMs: number; logs?: string } {
    const wallMs = Math.max(0, Math.round(performance.now() - job.startedAt));
    let cpuMs = 1;
    if (job.cpuStart !== null && cpuEnd !== null && cpuEnd > job.cpuStart) {
      cpuMs = Math.max(1, Math.ceil(Number(cpuEnd - job.cpuStart) / 1e6));
    }
    return logs ? { cpuMs, wallMs, logs } : { cpuMs, wallMs };
  }

  private oomSince(job: ActiveJob): boolean {
    if (job.oomStart === null) return false;
    const now = this.probe?.oomKills() ?? null;
    return now !== null && now > job.oomStart;
  }

  private oomError(): SandboxError {
    return { code: 'OUT_OF_MEMORY', message: `the code exceeded the sandbox memory limit of ${Math.round(this.cfg.limits.memoryBytes / MiB)} MiB and was killed` };
  }

  private async sampleCpu(): Promise<bigint | null> {
    if (this.probe) return this.probe.cpuUsageNs();
    // Fallback when the cgroup filesystem is not visible (e.g. a remote daemon): one-shot stats, ~15 ms.
    if (!this.container) return null;
    try {
      const stats = await this.container.stats({ stream: false, 'one-shot': true });
      const total = stats?.cpu_stats?.cpu_usage?.total_usage;
      return typeof total === 'number' ? BigInt(total) : null;
    } catch {
      return null;
    }
  }
}
