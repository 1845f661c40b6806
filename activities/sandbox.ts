import type { Pool } from 'pg';
import type { EcologyConfig } from '../src/config/schema';
import type { DispatchHooks } from '../src/genesis/context';
import type { LlmClient } from '../src/llm/client';
import { holdInvocation } from '../src/invoke/hold';
import { invoke } from '../src/invoke/invoke';
import { runInvocation } from '../src/invoke/run';
import { settleInvocation, type SettleInput } from '../src/invoke/settle';
import type { HoldResult, InvocationSummary, InvokeDeps, RunSummary, SagaRequest } from '../src/invoke/types';
import type { SandboxPool } from '../src/sandbox';
import { businessFailures } from './failures';
import { worldGuard, type InWorld } from './world';

export interface SandboxActivityDeps {
  pool: Pool;
  config: EcologyConfig;
  /** The process's sandbox; null where no Docker daemon is reachable (runs then fail SANDBOX_UNAVAILABLE and are refunded). */
  sandbox: SandboxPool | null;
  openai?: LlmClient;
  hooks?: DispatchHooks;
}

/**
 * The invocation saga's steps as activities (workflows/invoke.ts). Each is one idempotent
 * transaction keyed by the invocation key, so Temporal's retries are safe. runInvocation is served
 * on the `sandbox` task queue by hosts with Docker; hold and settle need only the database and run
 * on the workflow's own queue. Results stay small: the code's return value stays in PostgreSQL.
 */
export function createSandboxActivities(deps: SandboxActivityDeps) {
  const d: InvokeDeps = { pool: deps.pool, config: deps.config, sandbox: deps.sandbox, openai: deps.openai, hooks: deps.hooks };
  const inOwnWorld = worldGuard(deps.pool);
  return {
    async holdInvocation(input: SagaRequest & InWorld): Promise<HoldResult> {
      const { world, ...request } = input;
      return businessFailures(() => inOwnWorld({ world }, () => holdInvocation(d, request)));
    },
    async runInvocation(input: { key: string } & InWorld): Promise<RunSummary> {
      return businessFailures(() =>
        inOwnWorld(input, async () => {
          const { record, replayed } = await runInvocation(d, { key: input.key }, invoke);
          const base = { cpuMs: record.cpuMs, wallMs: record.wallMs, replayed };
          return record.ok ? { ok: true, ...base } : { ok: false, error: record.error, ...base };
        }),
      );
    },
    async settleInvocation(input: SettleInput & InWorld): Promise<InvocationSummary> {
      const { world, ...settle } = input;
      return businessFailures(async () => {
        const o = await inOwnWorld({ world }, () => settleInvocation(d, settle));
        if (o.ok) {
          const { result: _result, ...rest } = o;
          return rest;
        }
        return o;
      });
    },
  };
}

export type SandboxActivities = ReturnType<typeof createSandboxActivities>;
