import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../src/config/schema';
import type { DispatchHooks } from '../src/genesis/context';
import type { InvokeOptions } from '../src/invoke/types';
import { createAgentActivities } from './agents';
import { createEcologyActivities } from './ecology';
import { createMetricsActivities } from './metrics';
import { createOracleActivities } from './oracle';

/** What every activity factory may use; one set per worker process. */
export interface ActivityDeps {
  pool: Pool;
  config: EcologyConfig;
  temporal: Client;
  hooks?: DispatchHooks;
  /** How invoke_artifact runs agent-written code (workers/sandboxWorker.ts). */
  invoke?: InvokeOptions;
  openai?: unknown;
}

/** All activities the worker serves, merged from the per-area factories (names must not clash). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createAgentActivities(deps),
    ...createOracleActivities(deps),
    ...createMetricsActivities(deps),
    ...createEcologyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
