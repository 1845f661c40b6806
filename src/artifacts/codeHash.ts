import { createHash } from 'node:crypto';

/**
 * sha256 hex of an artifact's code (of its UTF-8 bytes), as genesis_store.describe shows it and
 * invoke_artifact's code_hash pins it; the invocation hold computes the same in SQL (CODE_HASH_SQL).
 */
export function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}
