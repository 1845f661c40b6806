/**
 * The host half of the bridge: what code in the sandbox reaches through ctx.read, ctx.invoke and
 * ctx.llm. Identity comes from the host: every call acts as the principal on whose behalf the code
 * runs (the payer: the invoker of a tool, or the artifact itself when it has standing), whatever the
 * payload says; the payload is validated strictly and may not name a caller. Each call has an
 * idempotency key derived from the invocation key and its sequence number in the run, so a retried
 * run replays the effects of its earlier attempt instead of repeating them.
 */
import { z } from 'zod';
import { callLlm, type LlmCallRequest, type LlmCallResult } from '../llm';
import { worstCaseOf } from '../llm/call';
import { withTransaction } from '../db/tx';
import { dispatch } from '../genesis/dispatch';
import { EcologyError, forbidden, type ErrorCode } from '../errors';
import { parseArgs } from '../validation';
import { hooksOf } from './contract';
import { adjustChain, chargeChain, grantGuard } from './grant';
import { bridgeKey } from './keys';
import type { CallBudget, InvocationOutcome, InvokeDeps, SagaRequest } from './types';

export interface BridgeContext {
  /** Key of the invocation whose code is running. */
  key: string;
  /** Acts and pays for every call. */
  payer: string;
  depth: number;
  /** Epoch ms at which the running code's own time limit ends. */
  deadlineMs: number;
  /** Shared by the whole tree of nested invocations, so fan-out cannot multiply the limit. */
  budget: CallBudget;
  /** The grant the code runs under (./grant); null when it acts as itself (it has standing). */
  grant: { chain: string[]; allow: string[] } | null;
}

/** What the run learned from its bridge calls (for the run's final report). */
export interface BridgeState {
  calls: number;
  /** A nested invocation failed DEPTH_EXCEEDED (here or further down). */
  depthExceeded: boolean;
}

/**
 * A rejection the code sees as an Error with this `code`; the message starts with the code too, so
 * that code which lets it escape fails with a message that says why.
 */
class BridgeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message.startsWith(`${code}: `) ? message : `${code}: ${message}`);
  }
}

/** Names a payload may not use: who acts is the host's business. */
const IDENTITY_FIELDS = ['caller', 'from_caller', 'as', 'payer', 'principal_id', 'invoker', 'identity'];

const readPayload = z.strictObject({ id: z.string() });
const invokePayload = z.strictObject({ id: z.string(), method: z.string().optional(), args: z.unknown().optional(), grant: z.unknown().optional() });
const message = z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
const llmPayload = z.strictObject({
  messages: z.array(message).min(1),
  options: z
    .strictObject({
      model: z.string().min(1).max(200).optional(),
      max_tokens: z.number().int().min(1).optional(),
      temperature: z.number().min(0).max(2).optional(),
    })
    .optional(),
});

function refuseIdentity(payload: unknown): void {
  if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
    const named = IDENTITY_FIELDS.filter((f) => Object.prototype.hasOwnProperty.call(payload, f));
    if (named.length) throw forbidden(`the bridge acts as the principal the code runs for; a request may not name ${named.join(', ')}`);
  }
}

function fromOutcome(o: InvocationOutcome): unknown {
  if (o.ok) return o.result;
  throw new BridgeError(o.error.code, o.error.message);
}

/**
 * The handler for SandboxPool.run's onCall. `invokeNested` is invoke() itself (passed in to avoid an
 * import cycle): nested invocations always run in this process, inside the parent's time limit.
 */
export function createBridge(
  deps: InvokeDeps,
  ctx: BridgeContext,
  invokeNested: (deps: InvokeDeps, req: SagaRequest) => Promise<InvocationOutcome>,
): { onCall: (op: string, payload: unknown) => Promise<unknown>; state: BridgeState } {
  const state: BridgeState = { calls: 0, depthExceeded: false };
  const { config } = deps;
  const grant = ctx.grant;
  const nestedDeps: InvokeDeps = { ...deps, runSaga: undefined, hooks: hooksOf(deps), guard: grant ? grantGuard(grant.chain, grant.allow) : undefined };

  const onCall = async (op: string, payload: unknown): Promise<unknown> => {
    const n = ++state.calls;
    try {
      if (ctx.budget.left <= 0) {
        throw new BridgeError('QUOTA_EXCEEDED', `an invocation and everything it calls may make at most ${config.sandbox.maxBridgeCalls} bridge calls`);
      }
      ctx.budget.left--;
      refuseIdentity(payload);
      switch (op) {
        case 'read': {
          const p = parseArgs(readPayload, payload, 'ctx.read request');
          const o = await dispatch(
            { pool: deps.pool, config, hooks: nestedDeps.hooks },
            { caller: ctx.payer, artifactId: 'genesis_store', method: 'read', args: { id: p.id }, key: bridgeKey(ctx.key, 'read', n) },
          );
          return fromOutcome(o);
        }
        case 'invoke': {
          const p = parseArgs(invokePayload, payload, 'ctx.invoke request');
          const o = await invokeNested(nestedDeps, {
            caller: ctx.payer,
            artifactId: p.id,
            method: p.method ?? 'run',
            args: p.args ?? {},
            ...(p.grant !== undefined ? { grant: p.grant } : {}),
            ...(grant ? { spendChain: grant.chain, spendAllow: grant.allow } : {}),
            key: bridgeKey(ctx.key, 'call', n),
            depth: ctx.depth + 1,
            deadlineMs: ctx.deadlineMs,
            callBudget: ctx.budget,
          });
          if (!o.ok && o.error.code === 'DEPTH_EXCEEDED') state.depthExceeded = true;
          return fromOutcome(o);
        }
        case 'llm': {
          const p = parseArgs(llmPayload, payload, 'ctx.llm request');
          const o = p.options ?? {};
          const request: LlmCallRequest = {
            key: bridgeKey(ctx.key, 'llm', n),
            payer: ctx.payer,
            model: o.model ?? config.llm.defaultModel,
            messages: p.messages,
            maxTokens: Math.min(o.max_tokens ?? config.sandbox.llmDefaultMaxTokens, config.sandbox.llmMaxTokens),
            temperature: o.temperature,
            purpose: 'sandbox',
          };
          const r = await withLlmAllowance(deps, grant, request, () => callLlm({ pool: deps.pool, config, openai: deps.openai }, request));
          return { content: r.content, usage: r.usage, cost_micros: r.cost_micros, model: r.model, finish_reason: r.finish_reason };
        }
        default:
          throw new BridgeError('NOT_SUPPORTED', `ctx has no operation ${String(op).slice(0, 40)}`);
      }
    } catch (e) {
      if (e instanceof BridgeError) throw e;
      if (e instanceof EcologyError) throw new BridgeError(e.code, e.message);
      throw new BridgeError('CALL_FAILED', `ctx.${String(op).slice(0, 40)} failed: ${(e as Error).message ?? String(e)}`);
    }
  };
  return { onCall, state };
}

/**
 * ctx.llm under a grant: the call's worst case is taken from the chain's LLM-dollar allowance
 * before the call (so parallel calls cannot overspend it), and trued up to the reported cost after
 * (all of it given back when the call fails). A retried run counts a replayed call again.
 */
async function withLlmAllowance(
  deps: InvokeDeps,
  grant: BridgeContext['grant'],
  request: LlmCallRequest,
  call: () => Promise<LlmCallResult>,
): Promise<LlmCallResult> {
  if (!grant) return call();
  const { pool, config } = deps;
  const worst = worstCaseOf(request, config.llm).micros;
  await withTransaction(pool, (c) => chargeChain(c, grant.chain, { llmMicros: worst }, 'ctx.llm'), config.transactions.maxRetries);
  let cost = 0;
  try {
    const r = await call();
    cost = r.cost_micros;
    return r;
  } finally {
    await withTransaction(pool, (c) => adjustChain(c, grant.chain, { llmMicros: cost - worst }), config.transactions.maxRetries);
  }
}
