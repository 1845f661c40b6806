import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { createOperatorPrincipal } from '../artifacts/operator';
import { grant } from '../buckets/store';
import type { EcologyConfig } from '../config/schema';
import { migrate } from '../db/migrate';
import { withTransaction } from '../db/tx';
import { isEcologyError } from '../errors';
import { bootstrapGenesis } from '../genesis/bootstrap';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { transfer } from '../ledger/transfer';
import { ensureBountyDeadlines } from '../bountyChecks/resume';
import { bountyStarter } from '../temporal/bountyWorkflows';
import { ensureMetricsSchedule } from '../temporal/metricsSchedule';
import { ensureOracleSchedule } from '../temporal/oracleSchedule';
import { initialAgents } from './agents';
import { applyComputeRates } from './computeRates';
import { readWorldId } from '../world/identity';
import type { AgentSpec, BootstrapReport, BootstrapResult, EcologySettings } from './types';

/** The idempotency keys of the treasury's one-time issuance. */
export const TREASURY_ISSUE_KEYS = { scrip: 'issue:treasury:scrip', compute: 'issue:treasury:compute' } as const;

export function ecologySettings(config: EcologyConfig): EcologySettings {
  const e = config.ecology;
  return {
    summaryRefreshSeconds: e.summaryRefreshSeconds,
    maxRefreshesPerRun: e.maxRefreshesPerRun,
    maxSpawnRecords: e.maxSpawnRecords,
    activities: { ...e.activities },
  };
}

/**
 * The operator's explicit issuance to the treasury (config ecology.treasury), once per world: the
 * keys are fixed, and a key already used (even with another amount, after the configuration
 * changed) is left as it is rather than minting again.
 */
export async function issueTreasury(pool: Pool, config: EcologyConfig): Promise<{ scrip: number; compute: number }> {
  const { scrip, compute } = config.ecology.treasury;
  return withTransaction(pool, async (client) => {
    const issued = { scrip: 0, compute: 0 };
    const used = async (table: 'journal' | 'resource_effects', id: string) => ((await client.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount ?? 0) > 0;
    if (scrip > 0 && !(await used('journal', TREASURY_ISSUE_KEYS.scrip))) {
      await transfer(client, { id: TREASURY_ISSUE_KEYS.scrip, from: SYSTEM_ACCOUNTS.mint, to: SYSTEM_ACCOUNTS.treasury, asset: SCRIP, amount: scrip, kind: 'issuance' });
      issued.scrip = scrip;
    }
    if (compute > 0 && !(await used('resource_effects', TREASURY_ISSUE_KEYS.compute))) {
      await grant(client, { id: TREASURY_ISSUE_KEYS.compute, principal: SYSTEM_ACCOUNTS.treasury, resource: 'compute', amount: compute, kind: 'issuance' });
      issued.compute = compute;
    }
    return issued;
  });
}

/**
 * Creates the initial agents that do not exist yet: each an operator's issuance (its starting scrip
 * minted and recorded, its compute issued). An agent that exists is left alone.
 */
export async function createInitialAgents(pool: Pool, config: EcologyConfig, given?: AgentSpec[] | null): Promise<{ ids: string[]; created: string[]; existing: string[] }> {
  const agents = initialAgents(config, given);
  const created: string[] = [];
  const existing: string[] = [];
  for (const a of agents) {
    try {
      await createOperatorPrincipal(pool, config, { id: a.id, kind: 'agent', scrip: a.scrip, compute: a.compute, content: a.content });
      created.push(a.id);
    } catch (e) {
      if (!(isEcologyError(e) && e.code === 'ALREADY_EXISTS')) throw e;
      existing.push(a.id);
    }
  }
  return { ids: agents.map((a) => a.id), created, existing };
}

/**
 * Everything a world needs before its agents run, idempotently: migrations, the genesis artifacts,
 * the treasury's issuance, the initial agents, the configured compute rates, and the `oracle-resolution` and `metrics-window`
 * Schedules (on config.temporal.taskQueue). Starting the agents' workflows is the caller's part.
 */
export async function bootstrapWorld(deps: { pool: Pool; config: EcologyConfig; temporal: Client }, given?: AgentSpec[] | null): Promise<BootstrapResult> {
  const { pool, config, temporal } = deps;
  const { applied } = await migrate(pool);
  const genesis = await bootstrapGenesis(pool);
  const treasuryIssued = await issueTreasury(pool, config);
  const agents = await createInitialAgents(pool, config, given);
  const rates = await applyComputeRates(pool, config);
  const oracle = await ensureOracleSchedule(temporal, config, { pool });
  const worldId = await readWorldId(pool);
  const metrics = await ensureMetricsSchedule(temporal, config, { world: worldId });
  const bountyDeadlines = await ensureBountyDeadlines(pool, bountyStarter(temporal, config, async () => worldId));
  const report: BootstrapReport = {
    at: new Date().toISOString(),
    migrationsApplied: applied,
    genesisCreated: genesis.created.length,
    treasuryIssued,
    agentsCreated: agents.created,
    agentsExisting: agents.existing,
    computeRatesChanged: rates.changed.map((c) => c.principal),
    schedules: [
      { scheduleId: oracle.scheduleId, action: oracle.action, paused: oracle.paused, nextActionAt: oracle.nextResolutionAt?.toISOString() ?? null },
      { scheduleId: metrics.scheduleId, action: metrics.action, paused: metrics.paused, nextActionAt: metrics.nextActionAt?.toISOString() ?? null },
    ],
    bountyDeadlines,
  };
  return { settings: ecologySettings(config), agents: agents.ids, report, worldId };
}
