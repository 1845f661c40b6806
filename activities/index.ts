import { createAgentActivities, type AgentActivityDeps } from './agents';
import { createBountyActivities } from './bounties';
import { createEcologyActivities } from './ecology';
import { createMetricsActivities } from './metrics';
import { createOracleActivities } from './oracle';

/** What every activity factory may use; one set per worker process (the agents' set is the widest). */
export type ActivityDeps = AgentActivityDeps;

/** All activities the worker serves, merged from the per-area factories (names must not clash). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createAgentActivities(deps),
    ...createOracleActivities(deps),
    ...createMetricsActivities(deps),
    ...createEcologyActivities(deps),
    ...createBountyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
