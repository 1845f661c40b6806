import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../src/config/schema';
import type { DispatchHooks } from '../src/genesis/context';
import { createAgentActivities } from './agents';
import { createMetricsActivities } from './metrics';
import { createOracleActivities } from './oracle';

/** What every activity factory may use; one set per worker process. */
export interface ActivityDeps {
  pool: Pool;
  config: EcologyConfig;
  temporal: Client;
  hooks?: DispatchHooks;
  openai?: unknown;
}

/** All activities the worker serves, merged from the per-area factories (names must not clash). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createAgentActivities(deps),
    ...createOracleActivities(deps),
    ...createMetricsActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
