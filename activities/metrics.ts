import type { Pool } from 'pg';
import type { EcologyConfig } from '../src/config/schema';
import { aggregateWindow } from '../src/metrics/aggregate';
import type { MetricsWindowSummary } from '../src/metrics/types';
import { windowBefore } from '../src/metrics/window';
import { businessFailures } from './failures';
import { worldGuard, type InWorld } from './world';

export interface MetricsActivityDeps {
  pool: Pool;
  config: EcologyConfig;
  /** Where refusals of another world's work are said (default: stderr). */
  log?: (message: string) => void;
}

/** The metrics window's one step (workflows/metrics.ts). Idempotent: it upserts the window's row. */
export function createMetricsActivities(deps: MetricsActivityDeps) {
  const { pool, config } = deps;
  const inOwnWorld = worldGuard(pool, deps.log);
  return {
    /** Aggregates the last whole window ending at or before `scheduledAt`; returns its scalar figures. */
    async metricsAggregateWindow(input: { scheduledAt: string; windowSeconds?: number } & InWorld): Promise<MetricsWindowSummary> {
      return businessFailures(() => inOwnWorld(input, async () => {
        const window = windowBefore(new Date(input.scheduledAt), input.windowSeconds ?? config.metrics.windowSeconds);
        const { data: _data, ...summary } = await aggregateWindow(pool, window, config.transactions.maxRetries);
        return summary;
      }));
    },
  };
}

export type MetricsActivities = ReturnType<typeof createMetricsActivities>;
