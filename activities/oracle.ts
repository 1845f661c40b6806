import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../src/config/schema';
import type { LlmClient } from '../src/llm/client';
import { businessFailures, codedFailure } from './failures';
import { heartbeating } from './heartbeat';
import { worldGuard, type InWorld } from './world';
import { finishResolution, openResolution, settleResolution, type OpenedResolution, type ScoreOutcome, type SettledResolution } from '../src/oracle/resolution';
import { nextResolutionTime } from '../src/oracle/schedule';
import { ScoreInvalidError, scoreSlot } from '../src/oracle/scoring';

export interface OracleActivityDeps {
  pool: Pool;
  config: EcologyConfig;
  /** The LLM client for the scorer; by default the configured endpoint's. */
  openai?: LlmClient;
}

/** Business failures are not retried (type = our error code); an unusable score is one too. */
function failing<T>(run: () => Promise<T>): Promise<T> {
  return businessFailures(async () => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof ScoreInvalidError) throw codedFailure(e.type, e.message, true);
      throw e;
    }
  });
}

/**
 * The resolution saga's steps (workflows/oracle.ts). Each is idempotent: the ledger steps are keyed
 * by the resolution id and deterministic transfer ids, the scorer by its LLM call key.
 */
export function createOracleActivities(deps: OracleActivityDeps) {
  const { pool, config } = deps;
  const inOwnWorld = worldGuard(pool);
  return {
    async oracleOpenResolution(input: { scheduledTime: string } & InWorld): Promise<OpenedResolution> {
      return failing(() => inOwnWorld(input, () => openResolution(pool, config, input.scheduledTime)));
    },

    async oracleScoreSlot(input: { resolutionId: string; slot: number } & InWorld): Promise<{ score: number; reason: string }> {
      return failing(() =>
        inOwnWorld(input, () =>
          heartbeating(async (live) => {
            const r = await scoreSlot({ pool, config, openai: deps.openai, ...live }, input.resolutionId, input.slot);
            return { score: r.score, reason: r.reason };
          }),
        ),
      );
    },

    async oracleSettleResolution(input: { resolutionId: string; outcomes: Array<{ slot: number; outcome: ScoreOutcome }> } & InWorld): Promise<SettledResolution> {
      return failing(() => inOwnWorld(input, () => settleResolution(pool, config, input.resolutionId, input.outcomes)));
    },

    async oracleFinishResolution(input: { resolutionId: string } & InWorld): Promise<{ resolution_id: string; minted_total: number; ubi_total: number; winners: number; next_resolution_at: string | null }> {
      const next = await inOwnWorld(input, () => nextResolutionTime(config, () => Context.current().client));
      const r = await failing(() => inOwnWorld(input, () => finishResolution(pool, config, input.resolutionId, next)));
      return { resolution_id: r.resolution_id, minted_total: r.minted_total, ubi_total: r.ubi.total, winners: r.winners.length, next_resolution_at: next?.toISOString() ?? null };
    },
  };
}

export type OracleActivities = ReturnType<typeof createOracleActivities>;
