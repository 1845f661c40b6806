/**
 * Workflow bundles for the agent tests, cached in the OS temp directory by a hash of every source
 * file a bundle can include (workflows/ and src/), so only the first test file pays for webpack.
 * The cached file also serves child-process workers (ECOLOGY_WORKFLOW_BUNDLE).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const ROOT = join(__dirname, '..', '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Removes bundles of older sources (more than an hour old, so none a running test still reads). */
function pruneOldBundles(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    const p = join(tmpdir(), name);
    if (!/^ecology-workflows-[0-9a-f]{16}\.js$/.test(name) || p === keep) continue;
    try {
      if (Date.now() - statSync(p).mtimeMs > 3_600_000) unlinkSync(p);
    } catch {
      // another process pruned it first
    }
  }
}

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Bundles `workflowsPath` (default: the real workflows/index.ts); returns the code and its file. */
export async function workflowBundle(workflowsPath = join(ROOT, 'workflows', 'index.ts')): Promise<{ code: string; file: string }> {
  const hash = createHash('sha256').update(workflowsPath);
  for (const f of [...sources(join(ROOT, 'workflows')), ...sources(join(ROOT, 'src')), workflowsPath]) hash.update(f).update(readFileSync(f));
  const file = join(tmpdir(), `ecology-workflows-${hash.digest('hex').slice(0, 16)}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8'), file };
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: silent as never });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  pruneOldBundles(file);
  return { code, file };
}
