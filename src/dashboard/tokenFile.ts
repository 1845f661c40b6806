import { readFileSync, statSync } from 'node:fs';
import { invalid } from '../errors';

/**
 * The dashboard token from a file (`--token-file`) that only its owner may read (mode 0600 or
 * stricter): the token stays out of argv and out of other users' reach.
 */
export function readTokenFile(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    throw invalid(`cannot read the token file ${path}: ${(e as Error).message}`);
  }
  if ((mode & 0o077) !== 0) throw invalid(`the token file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 0600 it`);
  const token = readFileSync(path, 'utf8').trim();
  if (token === '') throw invalid(`the token file ${path} is empty`);
  return token;
}
