/** Types shared by the resolution workflow (type-only imports there) and the code that starts it. */

/** Temporal activity options of the resolution, from `oracle.activities` in the configuration. */
export interface OracleActivityOptions {
  timeoutMs: number;
  initialIntervalMs: number;
  maximumIntervalMs: number;
  scoreTimeoutMs: number;
  scoreHeartbeatTimeoutMs: number;
  scoreMaximumAttempts: number;
}

export interface OracleResolutionInput {
  /**
   * The resolution's scheduled time (ISO-8601). Left out when the Schedule starts the workflow:
   * it is then read from the TemporalScheduledStartTime search attribute the Schedule sets.
   */
  scheduledTime?: string;
  activities: OracleActivityOptions;
  /** The id of the world whose bids it resolves (src/world/identity.ts); absent in schedules made before worlds had ids. */
  world?: string;
}

export interface OracleResolutionSummary {
  resolution_id: string;
  bid_count: number;
  slots: Array<{ slot: number; outcome: string; score: number | null; minted: number; price: number }>;
  minted_total: number;
  /** Earlier unfinished resolutions this run finished too. */
  resumed: string[];
}
