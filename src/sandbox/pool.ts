/**
 * A pool of warm sandbox containers, keyed by owner: code of different owners never shares a
 * container; one job at a time per container; idle containers are reaped after `idleMs`.
 *
 * Fairness: one owner holds at most `maxContainersPerOwner` containers (starting ones included), so
 * however many runs it queues, other owners always find room. A run may count against another
 * account than its code's owner (a bounty's check: its submitter's); its container then serves only
 * runs of that owner and account. Time a run spends waiting for a
 * container counts against its own time limit (its timeoutMs, and its deadlineMs when it has one),
 * so a queued run (e.g. a fan-out of nested invocations) never outlives its caller.
 *
 * `run` never throws for sandbox reasons: every failure, including "no Docker daemon", comes back
 * as a RunResult with ok: false, so a saga can always settle or refund.
 */
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import { SandboxContainer, type ContainerConfig } from './container';
import { checkDocker, connectDocker, dockerUnavailableMessage } from './docker';
import { DEFAULT_IMAGE_NAME, ensureSandboxImage, INIT_LABEL } from './image';
import { DEFAULT_LIMITS, type RunRequest, type RunResult, type SandboxErrorCode, type SandboxLimits } from './types';

export const SANDBOX_LABEL = 'org.agent-ecology.sandbox';

export interface SandboxPoolOptions {
  /** Defaults to connectDocker(). */
  docker?: Docker;
  /** A ready image ref. When omitted the pool builds or reuses one with ensureSandboxImage on first use. */
  image?: string;
  /** Repository used when the pool builds the image itself. */
  imageName?: string;
  limits?: Partial<SandboxLimits>;
  /** Idle containers older than this are removed. Default 60 s. */
  idleMs?: number;
  /** Containers alive at once, all owners together (idle ones of other owners are evicted for room). Default 8. */
  maxContainers?: number;
  /** Containers one owner may hold at once, starting ones included. Default maxContainers (no limit of its own). */
  maxContainersPerOwner?: number;
  /** How long a run may wait for a container when the pool is full. Default 30 s. */
  queueTimeoutMs?: number;
  /** Create + start + runner ready. Default 15 s. */
  startTimeoutMs?: number;
  /** CPU sampling period during a job (only matters if a container dies mid-job). Default 100 ms. */
  cpuSampleMs?: number;
  /** Timeout of the daemon ping. Default 2 s. */
  dockerCheckTimeoutMs?: number;
  /** Stopped sandbox containers older than this (left by crashed workers) are removed. Default 60 s. */
  orphanGraceMs?: number;
}

export interface PoolContainerInfo {
  id: string;
  owner: string;
  account: string;
  state: string;
  jobsRun: number;
  startMs: number;
  lastRecycleMs: number | null;
  cpuSource: 'cgroup' | 'docker-stats';
  cgroup: { cpu: string; memory: string | null; procs: string } | null;
}

interface Prepared {
  image: string;
  useDockerInit: boolean;
}

class Unavailable extends Error {
  constructor(
    message: string,
    /** The wait for a container reached its deadline (rather than the pool or daemon failing). */
    readonly waitedOut = false,
  ) {
    super(message);
  }
}

function ranOutWaiting(waitedMs: number, detail: string): string {
  return `the run's time limit ran out while it waited ${waitedMs} ms for a sandbox container (${detail}); waiting counts against the caller's own time`;
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

export class SandboxPool {
  readonly limits: SandboxLimits;
  readonly docker: Docker;
  private readonly id = randomUUID();
  private readonly opts: Required<Omit<SandboxPoolOptions, 'docker' | 'image' | 'limits'>> & { image?: string };
  private readonly boxes = new Set<SandboxContainer>();
  private starting = 0;
  /** Containers being started, per account (they count against the account's limit). */
  private readonly startingFor = new Map<string, number>();
  private readonly startups = new Set<Promise<unknown>>();
  private waiters = new Set<() => void>();
  private prepared: Promise<Prepared> | null = null;
  private reaper: NodeJS.Timeout;
  private closed = false;

  constructor(options: SandboxPoolOptions = {}) {
    this.docker = options.docker ?? connectDocker();
    this.limits = { ...DEFAULT_LIMITS, ...stripUndefined(options.limits ?? {}) };
    this.opts = {
      image: options.image,
      imageName: options.imageName ?? DEFAULT_IMAGE_NAME,
      idleMs: options.idleMs ?? 60_000,
      maxContainers: options.maxContainers ?? 8,
      maxContainersPerOwner: options.maxContainersPerOwner ?? options.maxContainers ?? 8,
      queueTimeoutMs: options.queueTimeoutMs ?? 30_000,
      startTimeoutMs: options.startTimeoutMs ?? 15_000,
      cpuSampleMs: options.cpuSampleMs ?? 100,
      dockerCheckTimeoutMs: options.dockerCheckTimeoutMs ?? 2_000,
      orphanGraceMs: options.orphanGraceMs ?? 60_000,
    };
    const sweepEvery = Math.max(100, Math.min(this.opts.idleMs / 2, 5_000));
    this.reaper = setInterval(() => this.reapIdle(), sweepEvery);
    this.reaper.unref();
  }

  /** Run one function of `code` for `owner`. Resolves with ok: false on every sandbox failure. */
  async run(req: RunRequest): Promise<RunResult> {
    if (this.closed) return failure('SANDBOX_UNAVAILABLE', 'the sandbox pool is closed');
    if (typeof req.owner !== 'string' || !req.owner) return failure('INVALID_INPUT', 'owner must be a non-empty string');
    if (typeof req.code !== 'string') return failure('INVALID_INPUT', 'code must be a string');
    if (req.fn !== undefined && typeof req.fn !== 'string') return failure('INVALID_INPUT', 'fn must be a string');
    for (const key of ['timeoutMs', 'maxOutputBytes', 'deadlineMs'] as const) {
      const v = req[key];
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) return failure('INVALID_INPUT', `${key} must be a positive number`);
    }
    let args: unknown;
    try {
      const text = JSON.stringify(req.args ?? {});
      args = text === undefined ? null : JSON.parse(text);
    } catch (err) {
      return failure('INVALID_INPUT', `args are not JSON-serialisable: ${(err as Error).message}`);
    }
    let prepared: Prepared;
    try {
      prepared = await this.prepare();
    } catch (err) {
      return failure('SANDBOX_UNAVAILABLE', (err as Error).message);
    }
    // Waiting for a container uses up the run's own time: it may wait only as long as it could run.
    const queuedAt = Date.now();
    const timeoutMs = req.timeoutMs ?? this.limits.timeoutMs;
    const ownDeadline = Math.min(queuedAt + timeoutMs, req.deadlineMs ?? Infinity);
    const queueDeadline = queuedAt + this.opts.queueTimeoutMs;
    let lease: { box: SandboxContainer; cold: boolean; waitedMs: number };
    try {
      lease = await this.acquire(req.owner, req.account || req.owner, prepared, Math.min(ownDeadline, queueDeadline));
    } catch (err) {
      if (err instanceof Unavailable && err.waitedOut && ownDeadline <= queueDeadline) return failure('TIMEOUT', ranOutWaiting(Date.now() - queuedAt, err.message));
      return failure('SANDBOX_UNAVAILABLE', (err as Error).message);
    }
    // Starting a container of its own is not waiting; waiting for other runs' containers is.
    const left = Math.min(timeoutMs - lease.waitedMs, (req.deadlineMs ?? Infinity) - Date.now());
    if (left < 1) {
      lease.box.release();
      return { ...failure('TIMEOUT', ranOutWaiting(Date.now() - queuedAt, 'a container became free too late')), coldStart: lease.cold };
    }
    req.onDispatch?.(Date.now() + Math.floor(left));
    let result: RunResult;
    try {
      result = await lease.box.run({
        code: req.code,
        fn: req.fn || 'run',
        args,
        onCall: req.onCall,
        timeoutMs: Math.floor(left),
        maxOutputBytes: req.maxOutputBytes ?? this.limits.maxOutputBytes,
      });
    } catch (err) {
      void lease.box.destroy(`internal error: ${(err as Error).message}`);
      result = failure('CRASHED', `sandbox internal error: ${(err as Error).message}`);
    }
    return { ...result, coldStart: lease.cold };
  }

  /** Start (or reuse) a warm container for `owner` ahead of demand. */
  async prewarm(owner: string): Promise<void> {
    const prepared = await this.prepare();
    if ([...this.boxes].some((b) => b.owner === owner && b.account === owner && b.state !== 'dead')) return;
    const { box } = await this.acquire(owner, owner, prepared, Date.now() + this.opts.queueTimeoutMs);
    box.release();
  }

  /** Live containers, for diagnostics and metrics. */
  containers(): PoolContainerInfo[] {
    return [...this.boxes].map((b) => ({
      id: b.id,
      owner: b.owner,
      account: b.account,
      state: b.state,
      jobsRun: b.jobsRun,
      startMs: b.startMs,
      lastRecycleMs: b.lastRecycleMs,
      cpuSource: b.cpuSource,
      cgroup: b.cgroupPaths,
    }));
  }

  /** Remove every container of this pool. Runs in progress end with ok: false. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    this.notify();
    await Promise.allSettled([...this.startups]);
    await Promise.allSettled([...this.boxes].map((b) => b.destroy('the sandbox pool was closed')));
    this.boxes.clear();
  }

  // --- preparation ------------------------------------------------------------------------------

  private prepare(): Promise<Prepared> {
    if (!this.prepared) {
      this.prepared = this.doPrepare();
      this.prepared.catch(() => {
        this.prepared = null; // retry on the next run: the daemon may come up later
      });
    }
    return this.prepared;
  }

  private async doPrepare(): Promise<Prepared> {
    const status = await checkDocker(this.docker, this.opts.dockerCheckTimeoutMs);
    if (!status.ok) throw new Unavailable(dockerUnavailableMessage(status.reason, this.docker));
    await this.removeExitedSandboxes();
    try {
      if (this.opts.image) {
        const info = await this.docker.getImage(this.opts.image).inspect();
        return { image: this.opts.image, useDockerInit: info.Config?.Labels?.[INIT_LABEL] !== 'builtin' };
      }
      const image = await ensureSandboxImage(this.docker, { imageName: this.opts.imageName });
      return { image: image.ref, useDockerInit: !image.hasInit };
    } catch (err) {
      throw new Unavailable(`the sandbox image is not available: ${(err as Error).message}`);
    }
  }

  /**
   * Containers of dead pools stop by themselves (their stdin closes); remove what they left. Only
   * containers that stopped (or were created) longer than orphanGraceMs ago: another live pool may
   * be starting one, or inspecting one that just died.
   */
  private async removeExitedSandboxes(): Promise<void> {
    try {
      const listed = await this.docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=1`], status: ['exited', 'dead', 'created'] } });
      const cutoff = Date.now() - this.opts.orphanGraceMs;
      await Promise.allSettled(
        listed.map(async (c) => {
          const container = this.docker.getContainer(c.Id);
          const info = await container.inspect();
          const status = info.State.Status; // re-read: it may have started since the listing
          const since = status === 'created' ? Date.parse(info.Created) : status === 'exited' || status === 'dead' ? Date.parse(info.State.FinishedAt) : NaN;
          if (Number.isFinite(since) && since < cutoff) await container.remove({ force: true, v: true });
        }),
      );
    } catch {
      /* housekeeping only */
    }
  }

  // --- leasing ----------------------------------------------------------------------------------

  /**
   * A container reserved for `owner`'s code, counted against `account`'s share; waitedMs is the
   * time spent waiting for other runs' containers.
   */
  private async acquire(owner: string, account: string, prepared: Prepared, deadline: number): Promise<{ box: SandboxContainer; cold: boolean; waitedMs: number }> {
    let waitedMs = 0;
    for (;;) {
      if (this.closed) throw new Unavailable('the sandbox pool is closed');
      const counted = [...this.boxes].filter((b) => b.account === account);
      const mine = counted.filter((b) => b.owner === owner);
      const idle = mine.filter((b) => b.state === 'idle').sort((a, b) => b.lastUsedAt - a.lastUsedAt)[0];
      if (idle) {
        idle.reserve();
        return { box: idle, cold: false, waitedMs };
      }
      // A container of this owner finishing its clean-up is ready in tens of ms; a new one takes far longer.
      const soon = mine.some((b) => b.state === 'recycling');
      let atOwnLimit = counted.length + (this.startingFor.get(account) ?? 0) >= this.opts.maxContainersPerOwner;
      // An idle container of the account's other code (another owner's) makes room for this one.
      if (!soon && atOwnLimit && this.evictIdle(counted)) atOwnLimit = false;
      if (!soon && !atOwnLimit) {
        if (this.boxes.size + this.starting >= this.opts.maxContainers) this.evictIdle();
        if (this.boxes.size + this.starting < this.opts.maxContainers) return { box: await this.startContainer(owner, account, prepared), cold: true, waitedMs };
      }
      const t0 = Date.now();
      const changed = await this.waitForChange(deadline);
      waitedMs += Date.now() - t0;
      if (!changed) {
        const why = atOwnLimit
          ? `all ${this.opts.maxContainersPerOwner} sandbox containers this owner may hold stayed busy`
          : `all ${this.opts.maxContainers} sandbox containers stayed busy`;
        throw new Unavailable(`${why} for ${waitedMs} ms`, true);
      }
    }
  }

  /** Evicts the least recently used idle container (of `among`, else of the pool); whether there was one. */
  private evictIdle(among: Iterable<SandboxContainer> = this.boxes): boolean {
    const victim = [...among].filter((b) => b.state === 'idle').sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
    if (!victim) return false;
    this.boxes.delete(victim);
    void victim.destroy('evicted to make room for another owner');
    return true;
  }

  private async startContainer(owner: string, account: string, prepared: Prepared): Promise<SandboxContainer> {
    const cfg: ContainerConfig = {
      docker: this.docker,
      image: prepared.image,
      useDockerInit: prepared.useDockerInit,
      limits: this.limits,
      owner,
      account,
      labels: { [SANDBOX_LABEL]: '1', [`${SANDBOX_LABEL}.pool`]: this.id, [`${SANDBOX_LABEL}.owner`]: owner.slice(0, 128) },
      startTimeoutMs: this.opts.startTimeoutMs,
      cpuSampleMs: this.opts.cpuSampleMs,
    };
    this.starting++;
    this.startingFor.set(account, (this.startingFor.get(account) ?? 0) + 1);
    const startup = SandboxContainer.start(cfg);
    this.startups.add(startup);
    let box: SandboxContainer;
    try {
      box = await startup;
    } catch (err) {
      const e = err as { code?: string; message?: string; statusCode?: number };
      if (e.statusCode === 404) this.prepared = null; // the image was removed: build or look it up again
      if (e.code && CONNECTION_ERRORS.has(e.code)) {
        this.prepared = null;
        throw new Unavailable(dockerUnavailableMessage(e.message ?? e.code, this.docker));
      }
      throw new Unavailable(`could not start a sandbox container: ${e.message ?? String(err)}`);
    } finally {
      this.starting--;
      const n = (this.startingFor.get(account) ?? 1) - 1;
      if (n > 0) this.startingFor.set(account, n);
      else this.startingFor.delete(account);
      this.startups.delete(startup);
      this.notify();
    }
    if (this.closed) {
      await box.destroy('the sandbox pool was closed');
      throw new Unavailable('the sandbox pool is closed');
    }
    this.boxes.add(box);
    box.on('idle', () => this.notify());
    box.on('dead', () => {
      this.boxes.delete(box);
      this.notify();
    });
    box.reserve();
    return box;
  }

  private waitForChange(deadline: number): Promise<boolean> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve(false);
      }, left);
      this.waiters.add(wake);
    });
  }

  private notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private reapIdle(): void {
    const now = Date.now();
    for (const box of this.boxes) {
      if (box.state === 'idle' && now - box.lastUsedAt > this.opts.idleMs) {
        this.boxes.delete(box);
        void box.destroy('idle');
      }
    }
  }
}

function failure(code: SandboxErrorCode, message: string): RunResult {
  return { ok: false, error: { code, message }, cpuMs: 0, wallMs: 0 };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
