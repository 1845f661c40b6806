/**
 * Workflow bundles for the tests, cached in the OS temp directory by a hash of every source file a
 * bundle can include, so only the first test file pays for webpack. The cached file also serves
 * child-process workers (ECOLOGY_WORKFLOW_BUNDLE).
 */
import { tmpdir } from 'node:os';
import { cachedWorkflowBundle } from '../../../src/ecology/workflowBundle';

/** Bundles `workflowsPath` (default: the real workflows/index.ts); returns the code and its file. */
export function workflowBundle(workflowsPath?: string): Promise<{ code: string; file: string }> {
  // Other bundles are pruned only after an hour: concurrent test files may still be reading theirs.
  return cachedWorkflowBundle({ dir: tmpdir(), workflowsPath, pruneAfterMs: 3_600_000 });
}
