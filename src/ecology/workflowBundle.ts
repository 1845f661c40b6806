import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { invalid } from '../errors';
import type { Logger } from '../log/logger';

const ROOT = join(__dirname, '..', '..');
const PREFIX = 'workflow-bundle-';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/**
 * A hash of everything a bundle of `workflowsPath` can contain: workflows/, src/, the locked
 * dependencies, and the entry file itself (tests bundle entries of their own).
 */
function sourceHash(workflowsPath: string): string {
  const hash = createHash('sha256').update(workflowsPath.slice(ROOT.length));
  for (const f of [...sources(join(ROOT, 'workflows')), ...sources(join(ROOT, 'src')), join(ROOT, 'package-lock.json'), workflowsPath]) {
    if (existsSync(f)) hash.update(f.slice(ROOT.length)).update(readFileSync(f));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Bundles `workflowsPath` with webpack (many seconds on a small machine). */
async function bundle(workflowsPath: string): Promise<string> {
  // Loaded lazily: only a bundling start needs webpack (require, not import(): jest cannot run import()).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { bundleWorkflowCode } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  return (await bundleWorkflowCode({ workflowsPath, logger: silent as never })).code;
}

/** Names the file of a prebuilt bundle (the worker image sets it to the bundle built into it). */
export const PREBUILT_BUNDLE_ENV = 'ECOLOGY_WORKFLOW_BUNDLE';

/**
 * The prebuilt workflow bundle named by $ECOLOGY_WORKFLOW_BUNDLE, as Worker.create's
 * `workflowBundle: {codePath}`; undefined when the variable is unset (the worker bundles then). A
 * variable naming no file is a configuration error, not a reason to bundle silently.
 */
export function prebuiltWorkflowBundle(env: NodeJS.ProcessEnv = process.env): { codePath: string } | undefined {
  const file = env[PREBUILT_BUNDLE_ENV];
  if (!file) return undefined;
  const codePath = resolve(file);
  if (!existsSync(codePath)) throw invalid(`${PREBUILT_BUNDLE_ENV} names ${codePath}, which does not exist; build it with "npm run workflows:bundle" or unset the variable`);
  return { codePath };
}

/** Writes the bundle of workflows/index.ts to `file` (the image's build step: `npm run workflows:bundle`). */
export async function writeWorkflowBundle(file: string, workflowsPath = join(ROOT, 'workflows', 'index.ts')): Promise<void> {
  const code = await bundle(workflowsPath);
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, code);
}

export interface BundleCacheOptions {
  /** Where bundles are kept. */
  dir: string;
  /** The workflows' entry (default: workflows/index.ts, what the worker runs). */
  workflowsPath?: string;
  /**
   * Bundles of other sources in `dir` are removed once older than this (default 0: at once). A
   * directory shared by concurrent processes (the tests' temp directory) keeps them a while, since
   * another process may still be about to read its own.
   */
  pruneAfterMs?: number;
  /** Says when it bundles (default: nothing). */
  logger?: Logger;
}

/**
 * A workflow bundle, cached in `dir` by a hash of its sources: the first start bundles (webpack,
 * many seconds on a small machine), later starts of the same code read the file. Returns the code
 * and the file (which child-process workers can load).
 */
export async function cachedWorkflowBundle(opts: BundleCacheOptions): Promise<{ code: string; file: string }> {
  const workflowsPath = opts.workflowsPath ?? join(ROOT, 'workflows', 'index.ts');
  mkdirSync(opts.dir, { recursive: true });
  const file = join(opts.dir, `${PREFIX}${sourceHash(workflowsPath)}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8'), file };
  opts.logger?.info('bundling the workflow code (first start of this version; cached for the next)');
  const code = await bundle(workflowsPath);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  pruneOtherBundles(opts.dir, file, opts.pruneAfterMs ?? 0);
  return { code, file };
}

function pruneOtherBundles(dir: string, keep: string, afterMs: number): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (!name.startsWith(PREFIX) || p === keep || name.endsWith('.tmp')) continue;
    try {
      if (Date.now() - statSync(p).mtimeMs >= afterMs) unlinkSync(p);
    } catch {
      // another process removed it first
    }
  }
}
