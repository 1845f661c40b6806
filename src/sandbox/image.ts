/**
 * Builds the sandbox image without any registry: a `FROM scratch` image holding the host's own
 * `node` binary, the shared libraries `ldd` says it needs, an init (tini) to reap orphans, a
 * passwd entry for the unprivileged job user and the runner scripts. The tag and a label carry a hash
 * of every input, so an unchanged image is reused and any change (node upgrade, runner edit)
 * produces a new one.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promises as fs, realpathSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { createTar, type TarEntry } from './tar';

const execFileAsync = promisify(execFile);

/** Bump when the image layout changes in a way the file hashes would not reveal. */
const LAYOUT_VERSION = '2';
export const HASH_LABEL = 'org.agent-ecology.sandbox.hash';
export const INIT_LABEL = 'org.agent-ecology.sandbox.init';
/** The uid (and gid) every job process runs as; the supervisor runs as root with a few capabilities. */
export const SANDBOX_UID = 10001;
/** The supervisor's uid: a job (another uid, no capabilities) can neither signal nor ptrace it. */
export const SUPERVISOR_UID = 0;
export const DEFAULT_IMAGE_NAME = 'agent-ecology-sandbox';

const NODE_IN_IMAGE = '/usr/local/bin/node';
const INIT_IN_IMAGE = '/sandbox/init';
const RUNNER_DIR = path.join(__dirname, 'runner');
const RUNNER_FILES = ['runner.js', 'job-child.js'];
/** Static init binaries Debian ships (tini-static is what docker-init points at). */
const INIT_CANDIDATES = ['/usr/bin/tini-static', '/usr/bin/docker-init', '/usr/libexec/docker/docker-init', '/sbin/tini-static'];

export interface SandboxImageOptions {
  /** Repository name; the tag is derived from the content hash. */
  imageName?: string;
  /** Node binary to ship; defaults to the one running us. */
  nodePath?: string;
  /** Static init binary to ship as PID 1; null to ship none (the pool then asks Docker for its init). */
  initPath?: string | null;
  onProgress?: (line: string) => void;
}

export interface SandboxImage {
  /** `name:tag` to create containers from. */
  ref: string;
  hash: string;
  /** Whether this call had to build it. */
  built: boolean;
  /** Whether the image carries its own init; when false, containers need HostConfig.Init. */
  hasInit: boolean;
}

/** Shared libraries a dynamically linked binary needs, as absolute paths, from `ldd`. */
export async function sharedLibraries(binary: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('ldd', [binary]));
  } catch (err) {
    const text = String((err as { stdout?: string; stderr?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? '');
    if (/not a dynamic executable|statically linked/i.test(text)) return [];
    throw new Error(`ldd ${binary} failed: ${text || (err as Error).message}`);
  }
  const libs = new Set<string>();
  for (const line of stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]!);
    else if (/not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()}`);
  }
  return [...libs];
}

function findStaticInit(): string | null {
  for (const candidate of INIT_CANDIDATES) {
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  return null;
}

interface FileSpec {
  dest: string; // absolute path inside the image
  source?: string;
  content?: Buffer;
  mode: number;
}

async function collectFiles(nodePath: string, initPath: string | null): Promise<FileSpec[]> {
  const files: FileSpec[] = [];
  const node = realpathSync(nodePath);
  // Execute-only (0711): the kernel then marks every job's node process non-dumpable, so code in
  // one process cannot ptrace or read /proc/<pid>/{fd,mem,environ} of its siblings (the supervisor
  // is out of reach anyway: it runs as another uid).
  files.push({ dest: NODE_IN_IMAGE, source: node, mode: 0o711 });
  const binaries = [node];
  if (initPath) {
    files.push({ dest: INIT_IN_IMAGE, source: realpathSync(initPath), mode: 0o711 });
    binaries.push(realpathSync(initPath));
  }
  const libs = new Set<string>();
  for (const bin of binaries) for (const lib of await sharedLibraries(bin)) libs.add(lib);
  for (const lib of [...libs].sort()) files.push({ dest: lib, source: lib, mode: 0o755 });
  for (const name of RUNNER_FILES) files.push({ dest: `/sandbox/${name}`, source: path.join(RUNNER_DIR, name), mode: 0o444 });
  files.push({ dest: '/etc/passwd', content: Buffer.from(`root:x:0:0:root:/:/sbin/nologin\nsandbox:x:${SANDBOX_UID}:${SANDBOX_UID}:sandbox:/tmp:/sbin/nologin\n`), mode: 0o644 });
  files.push({ dest: '/etc/group', content: Buffer.from(`root:x:0:\nsandbox:x:${SANDBOX_UID}:\n`), mode: 0o644 });
  return files;
}

function dockerfile(hash: string, hasInit: boolean): string {
  const cmd = hasInit ? [INIT_IN_IMAGE, '--', NODE_IN_IMAGE, '/sandbox/runner.js'] : [NODE_IN_IMAGE, '/sandbox/runner.js'];
  return [
    'FROM scratch',
    'COPY rootfs/ /',
    `LABEL ${HASH_LABEL}="${hash}" ${INIT_LABEL}="${hasInit ? 'builtin' : 'none'}"`,
    `ENV ECOLOGY_SANDBOX=1 HOME=/tmp TZ=UTC SANDBOX_JOB_UID=${SANDBOX_UID}`,
    'WORKDIR /tmp',
    `USER ${SUPERVISOR_UID}:${SUPERVISOR_UID}`,
    `ENTRYPOINT ${JSON.stringify(cmd)}`,
    '',
  ].join('\n');
}

async function buildContext(files: FileSpec[]): Promise<{ entries: TarEntry[]; hash: string }> {
  const hash = createHash('sha256').update(`layout:${LAYOUT_VERSION}\n`);
  const dirs = new Set<string>(['tmp']);
  const fileEntries: TarEntry[] = [];
  for (const f of files) {
    const rel = f.dest.replace(/^\/+/, '');
    for (let d = path.posix.dirname(rel); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
    const content = f.content ?? (await fs.readFile(f.source!));
    hash.update(`${rel}\0${f.mode}\0${content.length}\0`).update(content);
    fileEntries.push({ path: `rootfs/${rel}`, type: 'file', mode: f.mode, content });
  }
  const dirEntries: TarEntry[] = [...dirs].sort().map((d) => ({ path: `rootfs/${d}`, type: 'dir', mode: d === 'tmp' ? 0o1777 : 0o755 }));
  return { entries: [{ path: 'rootfs', type: 'dir', mode: 0o755 }, ...dirEntries, ...fileEntries], hash: hash.digest('hex') };
}

async function existingImage(docker: Docker, ref: string, hash: string): Promise<{ hasInit: boolean } | null> {
  try {
    const info = await docker.getImage(ref).inspect();
    const labels = info.Config?.Labels ?? {};
    if (labels[HASH_LABEL] !== hash) return null;
    return { hasInit: labels[INIT_LABEL] === 'builtin' };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

function followBuild(docker: Docker, stream: NodeJS.ReadableStream, onProgress?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | null = null;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : failure ? reject(new Error(`sandbox image build failed: ${failure}`)) : resolve()),
      (event: { stream?: string; error?: string; errorDetail?: { message?: string } }) => {
        if (event.error) failure = event.errorDetail?.message ?? event.error;
        if (event.stream && onProgress) onProgress(event.stream.trimEnd());
      },
    );
  });
}

/** One build (or look-up) per daemon client and set of options; concurrent callers share it. */
const remembered = new WeakMap<Docker, Map<string, Promise<SandboxImage>>>();

/**
 * Idempotent: returns the existing image when one with the same input hash is present. Within a
 * process the hash is remembered, so later calls do not re-read the node binary, only check that
 * the image is still there; only the call that actually built the image sees `built: true`.
 */
export async function ensureSandboxImage(docker: Docker, options: SandboxImageOptions = {}): Promise<SandboxImage> {
  let byOptions = remembered.get(docker);
  if (!byOptions) remembered.set(docker, (byOptions = new Map()));
  const key = JSON.stringify([options.imageName ?? null, options.nodePath ?? null, options.initPath ?? null]);
  const known = byOptions.get(key);
  if (known) {
    const image = await known.catch(() => null);
    if (image && (await existingImage(docker, image.ref, image.hash))) return { ...image, built: false };
  }
  const pending = buildOrFind(docker, options);
  byOptions.set(key, pending);
  pending.catch(() => byOptions.delete(key)); // failures are retried on the next call
  return pending;
}

async function buildOrFind(docker: Docker, options: SandboxImageOptions): Promise<SandboxImage> {
  const imageName = options.imageName ?? DEFAULT_IMAGE_NAME;
  const initPath = options.initPath === undefined ? findStaticInit() : options.initPath;
  const files = await collectFiles(options.nodePath ?? process.execPath, initPath);
  const { entries, hash } = await buildContext(files);
  const hasInit = Boolean(initPath);
  const ref = `${imageName}:${hash.slice(0, 16)}`;
  const existing = await existingImage(docker, ref, hash);
  if (existing) return { ref, hash, built: false, hasInit: existing.hasInit };

  entries.push({ path: 'Dockerfile', type: 'file', mode: 0o644, content: Buffer.from(dockerfile(hash, hasInit)) });
  const context = createTar(entries);
  const stream = await docker.buildImage(Readable.from([context]), { t: ref, rm: true, forcerm: true });
  await followBuild(docker, stream, options.onProgress);
  const built = await existingImage(docker, ref, hash);
  if (!built) throw new Error(`sandbox image ${ref} was not found after building it`);
  return { ref, hash, built: true, hasInit };
}
