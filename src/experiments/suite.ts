/**
 * The one place an experiment posts its bounty suite (read by src/bounties/suite.ts) into an arm's
 * world: a sponsor account, minted the rewards' total, owns the private checkers and posts each
 * bounty through genesis_bounty, with the same loader as `ecology bounties load`
 * (src/bountyChecks/loadSuite.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createOperatorPrincipal } from '../artifacts/operator';
import type { Suite } from '../bounties/suite';
import { loadSuite, planSuiteLoad } from '../bountyChecks/loadSuite';
import type { EcologyConfig } from '../config/schema';
import { EcologyError } from '../errors';
import type { DispatchHooks } from '../genesis/context';
import { dispatch } from '../genesis/dispatch';

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
/** Compute the sponsor gets: exactly what its operations cost (per bounty a lookup, a checker's write and a post). */
function sponsorCompute(config: EcologyConfig, n: number): number {
  const cost = (op: string) => config.genesis.computeCost[op] ?? config.genesis.defaultComputeCost;
  return n * (cost('genesis_bounty.check') + cost('genesis_store.write') + cost('genesis_bounty.post'));
}

/**
 * Posts every bounty of `suite` in the world: the sponsor, then the loader's calls (a checker write
 * and a post per bounty, under keys the system derives). Any bounty not posted fails the arm.
 */
export async function postSuite(world: SuiteWorld, suite: Suite): Promise<PostedSuite> {
  const { pool, config, hooks } = world;
  const total = suite.bounties.reduce((a, b) => a + b.reward, 0);
  await createOperatorPrincipal(pool, config, { id: SUITE_SPONSOR, kind: 'account', scrip: total, compute: sponsorCompute(config, suite.bounties.length) }).catch((e: unknown) => {
    if (!(e instanceof EcologyError && e.code === 'ALREADY_EXISTS')) throw e;
  });
  const loaded = await loadSuite(planSuiteLoad(suite), SUITE_SPONSOR, (req) => dispatch({ pool, config, hooks }, req), () => `suite:lookup:${randomUUID()}`);
  const failed = loaded.find((b) => b.status === 'failed');
  if (failed?.error) throw new EcologyError(failed.error.code, `bounty ${failed.id}: ${failed.error.message}`);
  return { sponsor: SUITE_SPONSOR, posted: loaded.map((b) => b.id) };
}
