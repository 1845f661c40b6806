import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../src/config/schema';
import { bootstrapWorld } from '../src/ecology/bootstrap';
import { agentIds, worldSnapshot } from '../src/ecology/snapshot';
import { trySpawnAgent } from '../src/ecology/spawn';
import type { AgentSpec, BootstrapResult, SpawnOutcome, WorldSnapshot } from '../src/ecology/types';
import { signalAgent } from '../src/temporal/agentWorkflows';
import { stopSignal } from '../src/agents/signals';
import { businessFailures } from './failures';
import { worldGuard, type InWorld } from './world';

export interface EcologyActivityDeps {
  pool: Pool;
  config: EcologyConfig;
  /** Creates the Schedules, queries and signals the agents' workflows. */
  temporal: Client;
}

/** The root workflow's activities (workflows/ecology.ts). Each is idempotent. */
export function createEcologyActivities(deps: EcologyActivityDeps) {
  const { pool, config, temporal } = deps;
  const inOwnWorld = worldGuard(pool);
  return {
    /** Migrations, genesis, the treasury's issuance, the initial agents, the two Schedules. */
    async ecologyBootstrap(input: { agents?: AgentSpec[] | null } & InWorld): Promise<BootstrapResult> {
      return businessFailures(() => inOwnWorld(input, () => bootstrapWorld({ pool, config, temporal }, input.agents ?? null)));
    },
    /** A spawn paid by the treasury; business failures come back as { ok: false } to be recorded. */
    async ecologySpawnAgent(input: { spec: AgentSpec } & InWorld): Promise<SpawnOutcome> {
      return inOwnWorld(input, () => trySpawnAgent(pool, config, input.spec));
    },
    async ecologySnapshot(input?: InWorld): Promise<WorldSnapshot> {
      return inOwnWorld(input ?? {}, () => worldSnapshot(pool, config, temporal));
    },
    /** `stop` to every agent's workflow; returns how many were running. */
    async ecologyStopAgents(input?: InWorld): Promise<number> {
      return inOwnWorld(input ?? {}, async () => {
        const ids = await agentIds(pool);
        const sent = await Promise.all(ids.map((id) => signalAgent(temporal, id, stopSignal)));
        return sent.filter(Boolean).length;
      });
    },
  };
}

export type EcologyActivities = ReturnType<typeof createEcologyActivities>;
