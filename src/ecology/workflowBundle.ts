import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** A hash of everything a workflow bundle can contain: workflows/, src/ and the locked dependencies. */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const f of [...sources(join(ROOT, 'workflows')), ...sources(join(ROOT, 'src')), join(ROOT, 'package-lock.json')]) {
    if (existsSync(f)) hash.update(f.slice(ROOT.length)).update(readFileSync(f));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The worker's workflow bundle, cached in `dir` by a hash of its sources: the first start bundles
 * (webpack, many seconds on a small machine), later starts of the same code read the file. Older
 * bundles in `dir` are removed.
 */
export async function cachedWorkflowBundle(dir: string, log: (m: string) => void = () => undefined): Promise<{ code: string }> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${PREFIX}${sourceHash()}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  log('bundling the workflow code (first start of this version; cached for the next)');
  // Loaded lazily: only a first start needs webpack.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: silent as never });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  for (const name of readdirSync(dir)) {
    if (name.startsWith(PREFIX) && join(dir, name) !== file && !name.endsWith('.tmp')) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // another process removed it first
      }
    }
  }
  return { code };
}
