import type { PoolClient } from 'pg';
import type { z } from 'zod';
import type { EcologyConfig } from '../config/schema';
import type { CustomContractCheck } from '../artifacts/access';
import type { ContractDecisions } from '../artifacts/contractDecisions';
import type { Endowment } from '../artifacts/endowment';

/** A committed creation of an agent: its creator, the operation's key, and what it was given. */
export interface AgentCreation {
  agentId: string;
  creator: string;
  key: string;
  endowment?: Endowment;
}

/** Extension points later parts plug in (sandbox contracts, agent workflow starts). */
export interface DispatchHooks {
  customContract?: CustomContractCheck;
  /**
   * Called by dispatch after an operation that created an agent commits (and again on every replay
   * of it): starts the agent's workflow, idempotently. When the start fails it undoes the creation
   * (src/agents/startCreated.ts) and throws a typed error, which becomes the operation's outcome.
   */
  agentCreated?: (creation: AgentCreation) => Promise<void>;
  /**
   * Called by dispatch after a genesis_bounty post or submit commits (and on every replay): starts
   * the bounty's deadline workflow or the submission's check, idempotently (src/bounties/hooks.ts).
   * A typed error becomes the operation's outcome.
   */
  bountyCommitted?: (commit: BountyCommit) => Promise<void>;
}

/** A committed bounty operation: its method and result (bountyView or submissionView, as JSON). */
export interface BountyCommit {
  method: 'post' | 'submit';
  caller: string;
  key: string;
  result: unknown;
}

/**
 * The hooks of one operation: custom contract checks learn the operation's key (their idempotency
 * key) and where to keep their decisions until the operation records them.
 */
export function bindOperationKey(hooks: DispatchHooks, key: string, decisions?: ContractDecisions): DispatchHooks {
  const check = hooks.customContract;
  return check ? { ...hooks, customContract: (req) => check({ ...req, key: req.key ?? key, decisions: req.decisions ?? decisions }) } : hooks;
}

/** What every genesis method receives. `caller` comes from the system, never from args. */
export interface CallContext {
  client: PoolClient;
  caller: string;
  /** The operation's idempotency key; effects inside it use `${key}:<suffix>`. */
  key: string;
  config: EcologyConfig;
  hooks: DispatchHooks;
}

export interface GenesisMethod<A = any> {
  description: string;
  /**
   * Reads only: no effect but the operation's own compute charge. Its result (perhaps a whole
   * artifact) is not kept with the operation; a repeat of the key reads again, without a charge.
   */
  readOnly?: boolean;
  /** Validates and types the args; unknown keys are rejected. */
  args: z.ZodType<A>;
  /** Its arguments are the caller's secret (a sealed bid): what others may see of a call leaves them out. */
  sealedArgs?: boolean;
  run(ctx: CallContext, args: A): Promise<unknown>;
}

export type GenesisServiceDef = Record<string, GenesisMethod>;

/**
 * Wraps a method (with its scrip fee) in the operation's transaction: a guard may refuse it, or
 * look at what it changed and refuse after it (a typed error rolls the method back). Code running
 * under a grant gets one (src/invoke/grant.ts).
 */
export interface MethodGuard {
  around(ctx: CallContext, service: string, method: string, args: unknown, run: () => Promise<unknown>): Promise<unknown>;
}

export function method<A>(m: GenesisMethod<A>): GenesisMethod<A> {
  return m;
}
