/**
 * Bounty suites: a file that posts many bounties at once (`ecology bounties load <file>`).
 *
 *   bounties/suites/<name>.json = {name, description, checker_prelude_file?, bounties: [
 *     {id, description, reward, deadline_minutes, mode?, checker: "<ES module>" | checker_file: "<name>/<id>.js"}]}
 *
 * File paths are relative to the suite file and must stay inside its folder. The prelude (shared
 * helpers) is put before every checker: a checker runs as one ES module, imports do not resolve.
 * Any problem is one INVALID_ARGUMENT naming the file, the entry and the field.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { invalid } from '../errors';
import { ID_PATTERN, newArtifactId, positiveAmount } from '../validation';
import { BOUNTY_MODES, type BountyMode } from './queries';

export interface SuiteBounty {
  id: string;
  description: string;
  reward: number;
  deadlineMinutes: number;
  mode?: BountyMode;
  /** The artifact the loader creates for the checker, owned by the poster. */
  checkerId: string;
  /** The checker's module as it runs: the suite's prelude, then the checker. */
  checkerCode: string;
  /** Where the checker came from: its file, or `inline`. */
  checkerSource: string;
}

export interface Suite {
  name: string;
  description: string;
  bounties: SuiteBounty[];
}

/** Suite names go into artifact ids and keys (`checker.<suite>.<bounty>`): no dots. */
const suiteName = z.string({ error: 'must be a string' }).regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, { error: 'must be 1-32 characters of A-Z a-z 0-9 _ -, starting with a letter' });
const text = z.string({ error: 'must be a string' }).trim().min(1, { error: 'may not be empty' });
const jsFile = z
  .string({ error: 'must be a path' })
  .refine((p) => !path.isAbsolute(p) && p.endsWith('.js'), { error: 'must be the relative path of a .js file next to the suite file' });

const entrySchema = z
  .strictObject({
    id: newArtifactId,
    description: text,
    reward: positiveAmount,
    deadline_minutes: positiveAmount,
    mode: z.enum(BOUNTY_MODES, { error: 'must be "first" or "best"' }).optional(),
    checker: text.optional(),
    checker_file: jsFile.optional(),
  })
  .refine((e) => (e.checker === undefined) !== (e.checker_file === undefined), {
    error: 'give exactly one of checker (the code of an ES module) and checker_file (a .js file)',
    path: ['checker'],
  });

const suiteSchema = z.strictObject({
  name: suiteName,
  description: text,
  checker_prelude_file: jsFile.optional(),
  bounties: z.array(entrySchema, { error: 'must be an array of bounties' }).min(1, { error: 'must hold at least one bounty' }),
});

export const checkerArtifactId = (suite: string, bountyId: string) => `checker.${suite}.${bountyId}`;

/** Reads and checks a suite file; the checker files are read too. */
export function readSuite(file: string, limits: { maxCodeBytes: number }): Suite {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw invalid(`suite ${file}: ${(e as Error).message}`, { file });
  }
  return parseSuite(raw, { file, dir: path.dirname(file), maxCodeBytes: limits.maxCodeBytes });
}

export interface SuiteSource {
  /** The suite file's name, for messages. */
  file: string;
  /** Its folder: checker files resolve against it and must stay inside it. */
  dir: string;
  maxCodeBytes: number;
}

export function parseSuite(raw: unknown, src: SuiteSource): Suite {
  const r = suiteSchema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0]!;
    const where = describePath(first.path, raw);
    throw invalid(`suite ${src.file}: ${where}: ${first.message}`, { file: src.file, field: where, problems: r.error.issues.length });
  }
  const s = r.data;
  const fail = (i: number, field: string, message: string) => {
    const where = describePath(['bounties', i, field], raw);
    return invalid(`suite ${src.file}: ${where}: ${message}`, { file: src.file, field: where });
  };
  const prelude = s.checker_prelude_file === undefined ? '' : `${readInside(src, s.checker_prelude_file, () => invalid(`suite ${src.file}: checker_prelude_file: no readable file ${s.checker_prelude_file} inside ${src.dir}`, { file: src.file, field: 'checker_prelude_file' }))}\n`;
  const seen = new Set<string>();
  const bounties = s.bounties.map((b, i): SuiteBounty => {
    if (seen.has(b.id)) throw fail(i, 'id', `bounty ${b.id} appears twice in the suite`);
    seen.add(b.id);
    const checkerId = checkerArtifactId(s.name, b.id);
    if (!ID_PATTERN.test(checkerId)) throw fail(i, 'id', `the checker's artifact id ${checkerId} is longer than 128 characters: shorten the bounty id`);
    const checker = b.checker_file === undefined ? b.checker! : readInside(src, b.checker_file, () => fail(i, 'checker_file', `no readable file ${b.checker_file} inside ${src.dir}`));
    const checkerCode = prelude + checker;
    const bytes = Buffer.byteLength(checkerCode, 'utf8');
    if (bytes > src.maxCodeBytes) throw fail(i, b.checker_file === undefined ? 'checker' : 'checker_file', `the checker (with the prelude) is ${bytes} bytes, above limits.maxCodeBytes ${src.maxCodeBytes}`);
    return {
      id: b.id,
      description: b.description,
      reward: b.reward,
      deadlineMinutes: b.deadline_minutes,
      ...(b.mode === undefined ? {} : { mode: b.mode }),
      checkerId,
      checkerCode,
      checkerSource: b.checker_file ?? 'inline',
    };
  });
  return { name: s.name, description: s.description, bounties };
}

/** `bounties[3] (parse_csv).reward`: the entry by index and, when it has one, its id. */
function describePath(p: readonly PropertyKey[], raw: unknown): string {
  let out = '';
  let node: unknown = raw;
  for (const part of p) {
    node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[part] : undefined;
    if (typeof part === 'number') {
      const id = node !== null && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      out += `[${part}]${typeof id === 'string' ? ` (${id.slice(0, 128)})` : ''}`;
    } else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || 'the suite';
}

/** A file's text, only if it resolves (symbolic links followed) inside the suite's folder. */
function readInside(src: SuiteSource, relative: string, error: () => Error): string {
  try {
    const dir = realpathSync(src.dir);
    const file = realpathSync(path.resolve(dir, relative));
    const rel = path.relative(dir, file);
    if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) throw error();
    return readFileSync(file, 'utf8');
  } catch {
    throw error();
  }
}
