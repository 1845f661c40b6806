import type { Pool } from 'pg';
import { EcologyError } from '../errors';
import type { AgentCreation, DispatchHooks } from '../genesis/context';
import type { AgentControl } from './types';
import { clip } from './actions';
import { removeUnstartedAgent } from './compensate';

function undone(agentId: string, why: string): EcologyError {
  return new EcologyError('UNAVAILABLE', clip(`${agentId} was created but its workflow could not start (${why}); the creation was undone and its endowment returned`, 1000));
}

/**
 * The saga of SPEC section 7, as the dispatch hook every path shares (DispatchHooks.agentCreated):
 * a committed creation of an agent starts its workflow (idempotent: a running one is kept); if the
 * start fails, the creation is undone (./compensate) and the operation fails UNAVAILABLE.
 */
export function agentCreatedHook(pool: Pool, control: Pick<AgentControl, 'start'>): NonNullable<DispatchHooks['agentCreated']> {
  return async (c: AgentCreation) => {
    const art = (await pool.query<{ agent: boolean }>('SELECT has_standing AND can_execute AS agent FROM artifacts WHERE id = $1', [c.agentId])).rows[0];
    if (!art?.agent) throw undone(c.agentId, 'an earlier attempt of this operation could not start it');
    try {
      await control.start(c.agentId);
    } catch (e) {
      const why = (e as Error).message ?? String(e);
      try {
        await removeUnstartedAgent(pool, c.agentId, `its workflow could not start: ${why}`, c);
      } catch (u) {
        // Something already depends on the new agent: leave it; a retry of the operation starts it again.
        throw new Error(`starting the workflow of ${c.agentId} failed (${why}) and undoing its creation failed (${(u as Error).message})`);
      }
      throw undone(c.agentId, why);
    }
  };
}
