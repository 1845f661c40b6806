/**
 * Retention of large stored results (config `retention`): an invocation's result (up to
 * sandbox.limits.maxOutputBytes, kept for replays of its key) and an agent iteration's result are
 * replaced by a small marker once older than their retention. Only those columns change: rows,
 * statuses, errors, CPU, counts (what metrics windows aggregate), money and the journal stay, so a
 * replay of a pruned key still gives the same ok/failed outcome, with the marker as its result.
 */
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';

/** What a pruned invocation's result reads (its `value`) and a pruned agent action's `result` is. */
export const PRUNED_INVOCATION_RESULT = { pruned: true, reason: 'the result was removed after retention.invocationResultsHours' } as const;
export const PRUNED_ACTION_RESULT = { pruned: true, reason: 'the result was removed after retention.agentActionResultsHours' } as const;

export interface PruneReport {
  invocations: number;
  agentActions: number;
}

/*
 * run_result is the system's RunRecord, so a top-level `pruned` key is only ever ours. The value and
 * the logs go; ok, error (already capped), cpuMs and wallMs stay. Oldest first, in batches, skipping
 * rows a settle or replay holds locked (a later run takes them).
 */
const PRUNE_INVOCATIONS_SQL = `WITH batch AS (
    SELECT key FROM invocations
    WHERE status <> 'held' AND settled_at < now() - make_interval(hours => $1) AND run_result IS NOT NULL AND NOT (run_result ? 'pruned')
    ORDER BY settled_at LIMIT $2 FOR UPDATE SKIP LOCKED)
  UPDATE invocations i
  SET run_result = (i.run_result - 'value' - 'logs')
    || CASE WHEN i.run_result->'ok' = 'true'::jsonb THEN jsonb_build_object('value', $3::jsonb) ELSE '{}'::jsonb END
    || '{"pruned": true}'::jsonb
  FROM batch WHERE i.key = batch.key`;

// An action's result is whatever the action returned (hostile): only one longer than the marker is
// replaced, which also leaves a replaced one alone.
const PRUNE_ACTIONS_SQL = `WITH batch AS (
    SELECT key FROM agent_actions
    WHERE status IN ('done', 'failed') AND acted_at < now() - make_interval(hours => $1) AND octet_length(result::text) > octet_length($3::jsonb::text)
    ORDER BY acted_at LIMIT $2 FOR UPDATE SKIP LOCKED)
  UPDATE agent_actions a SET result = $3::jsonb FROM batch WHERE a.key = batch.key`;

async function inBatches(pool: Pool, sql: string, values: unknown[], maxBatches: number, batchRows: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = (await pool.query(sql, values)).rowCount ?? 0;
    total += n;
    if (n < batchRows) break;
  }
  return total;
}

/** One pruning run: at most retention.maxBatches statements of retention.batchRows rows per table. Idempotent. */
export async function pruneRetainedResults(pool: Pool, retention: EcologyConfig['retention']): Promise<PruneReport> {
  const { batchRows, maxBatches } = retention;
  const invocations = await inBatches(pool, PRUNE_INVOCATIONS_SQL, [retention.invocationResultsHours, batchRows, JSON.stringify(PRUNED_INVOCATION_RESULT)], maxBatches, batchRows);
  const agentActions = await inBatches(pool, PRUNE_ACTIONS_SQL, [retention.agentActionResultsHours, batchRows, JSON.stringify(PRUNED_ACTION_RESULT)], maxBatches, batchRows);
  return { invocations, agentActions };
}
