/**
 * A bounty suite (bounties/suites/<name>.json: {name, bounties: [{id, description, reward,
 * deadline_minutes, checker | checker_file, mode?}]}) and the one place an experiment posts it into
 * an arm's world: postSuite(). It posts through the genesis_bounty service (shared contract: a
 * sponsor account owns the checkers and pays the rewards); when the shared loader (`ecology
 * bounties load`) is merged, postSuite should call it instead of doing the same steps here.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Pool } from 'pg';
import { z } from 'zod';
import { createOperatorPrincipal } from '../artifacts/operator';
import type { EcologyConfig } from '../config/schema';
import { EcologyError, invalid } from '../errors';
import type { DispatchHooks } from '../genesis/context';
import { dispatch, type Outcome } from '../genesis/dispatch';
import { isGenesisService } from '../genesis/registry';
import { newArtifactId, positiveAmount } from '../validation';

const bountySchema = z
  .object({
    id: newArtifactId,
    description: z.string().min(1),
    reward: positiveAmount,
    deadline_minutes: z.number().positive(),
    checker: z.string().min(1).optional(),
    checker_file: z.string().min(1).optional(),
    mode: z.enum(['first', 'best']).optional(),
  })
  .refine((b) => (b.checker === undefined) !== (b.checker_file === undefined), { error: 'give one of checker (code) or checker_file' });

const suiteSchema = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/),
  description: z.string().optional(),
  /** Code put before every checker of the suite (shared helpers). */
  checker_prelude_file: z.string().min(1).optional(),
  bounties: z.array(bountySchema).min(1),
});

export type SuiteBounty = Omit<z.infer<typeof bountySchema>, 'checker_file'> & { checker: string };
export interface Suite {
  name: string;
  /** The file it came from. */
  path: string;
  bounties: SuiteBounty[];
}

/** Reads a suite; a checker_file is read (relative to the suite's folder) into `checker`. */
export function readSuite(path: string): Suite {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw invalid(`cannot read the bounty suite ${path}: ${(e as Error).message}`);
  }
  const r = suiteSchema.safeParse(raw);
  if (!r.success) throw invalid(`bounty suite ${path}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const read = (rel: string, what: string) => {
    const file = resolve(dirname(path), rel);
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw invalid(`bounty suite ${path}: ${what}: cannot read ${file}: ${(e as Error).message}`);
    }
  };
  const prelude = r.data.checker_prelude_file === undefined ? '' : `${read(r.data.checker_prelude_file, 'checker_prelude_file')}\n`;
  const bounties = r.data.bounties.map(({ checker_file, ...b }) => ({
    ...b,
    checker: prelude + (checker_file === undefined ? (b.checker as string) : read(checker_file, `bounty ${b.id}: checker_file`)),
  }));
  return { name: r.data.name, path, bounties };
}

/** What postSuite needs of an arm's world. */
export interface SuiteWorld {
  pool: Pool;
  config: EcologyConfig;
  /** Dispatch's hooks: bountyCommitted starts each bounty's deadline timer. */
  hooks?: DispatchHooks;
}

export interface PostedSuite {
  sponsor: string;
  posted: string[];
}

/** The account that owns the checkers and pays the rewards (agents cannot take this id: the spec refuses it). */
export const SUITE_SPONSOR = 'suite_sponsor';
/** Compute the sponsor gets: exactly what its operations cost (a checker's write and a post per bounty). */
function sponsorCompute(config: EcologyConfig, n: number): number {
  const cost = (op: string) => config.genesis.computeCost[op] ?? config.genesis.defaultComputeCost;
  return n * (cost('genesis_store.write') + cost('genesis_bounty.post'));
}

function ok(o: Outcome, what: string): unknown {
  if (o.ok) return o.result;
  throw new EcologyError(o.error.code as never, `${what}: ${o.error.message}`, o.error.details);
}

/**
 * Posts every bounty of `suite` in the world: the sponsor (minted the rewards' total), one private
 * checker per bounty, then genesis_bounty.post. Idempotent by its keys (`suite:<bounty>:...`,
 * system-derived: callers' keys cannot contain ':').
 */
export async function postSuite(world: SuiteWorld, suite: Suite): Promise<PostedSuite> {
  if (!isGenesisService('genesis_bounty')) {
    throw new EcologyError('UNAVAILABLE', 'this build has no genesis_bounty service: bounties cannot be posted (merge the bounty service first)', { reason: 'no_bounty_service' });
  }
  const { pool, config, hooks } = world;
  const total = suite.bounties.reduce((a, b) => a + b.reward, 0);
  await createOperatorPrincipal(pool, config, { id: SUITE_SPONSOR, kind: 'account', scrip: total, compute: sponsorCompute(config, suite.bounties.length) }).catch((e: unknown) => {
    if (!(e instanceof EcologyError && e.code === 'ALREADY_EXISTS')) throw e;
  });
  const posted: string[] = [];
  for (const b of suite.bounties) {
    // The id `ecology bounties load` gives it too.
    const checker = `checker.${suite.name}.${b.id}`;
    const call = (artifactId: string, method: string, args: unknown, step: string) =>
      dispatch({ pool, config, hooks }, { caller: SUITE_SPONSOR, artifactId, method, args, key: `suite:${b.id}:${step}` });
    ok(await call('genesis_store', 'write', { id: checker, type: 'checker', code: b.checker, can_execute: true, access_contract_id: 'genesis_private' }, 'checker'), `bounty ${b.id}: its checker`);
    const post = { id: b.id, description: b.description, checker, reward: b.reward, deadline_seconds: Math.round(b.deadline_minutes * 60), ...(b.mode ? { mode: b.mode } : {}) };
    ok(await call('genesis_bounty', 'post', post, 'post'), `bounty ${b.id}`);
    posted.push(b.id);
  }
  return { sponsor: SUITE_SPONSOR, posted };
}
