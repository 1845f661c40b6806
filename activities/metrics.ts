import type { Pool } from 'pg';
import type { EcologyConfig } from '../src/config/schema';
import { pruneRetainedResults, type PruneReport } from '../src/db/retention';
import { aggregateWindow } from '../src/metrics/aggregate';
import type { MetricsWindowSummary } from '../src/metrics/types';
import { windowBefore } from '../src/metrics/window';
import { businessFailures } from './failures';
import { worldGuard, type InWorld } from './world';

export interface MetricsActivityDeps {
  pool: Pool;
  config: EcologyConfig;
}

/** The metrics window's steps (workflows/metrics.ts). Idempotent: an upsert of the window's row, then pruning. */
export function createMetricsActivities(deps: MetricsActivityDeps) {
  const { pool, config } = deps;
  const inOwnWorld = worldGuard(pool);
  return {
    /** Aggregates the last whole window ending at or before `scheduledAt`; returns its scalar figures. */
    async metricsAggregateWindow(input: { scheduledAt: string; windowSeconds?: number } & InWorld): Promise<MetricsWindowSummary> {
      return businessFailures(() => inOwnWorld(input, async () => {
        const window = windowBefore(new Date(input.scheduledAt), input.windowSeconds ?? config.metrics.windowSeconds);
        const { data: _data, ...summary } = await aggregateWindow(pool, window, config.transactions.maxRetries);
        return summary;
      }));
    },
    /** Bounds stored results by retention (src/db/retention.ts); runs after each window. */
    async metricsPruneRetention(input: InWorld): Promise<PruneReport> {
      return businessFailures(() => inOwnWorld(input, () => pruneRetainedResults(pool, config.retention)));
    },
  };
}

export type MetricsActivities = ReturnType<typeof createMetricsActivities>;
