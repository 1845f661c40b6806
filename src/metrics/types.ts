/** Metrics windows (SPEC section 10): what one window's aggregation records. */

export interface MetricsWindowBounds {
  /** Inclusive. */
  start: Date;
  /** Exclusive. */
  end: Date;
}

export interface AgentWindowFigures {
  /** Actions finished in the window: ok + failed + invalid. */
  actions: number;
  actions_ok: number;
  actions_failed: number;
  /** Outputs that were not one valid action (a failed action the agent still paid for). */
  actions_invalid: number;
  /** CPU-ms charged to its compute bucket. */
  compute: number;
  llm_calls: number;
  llm_cost_micros: number;
  llm_prompt_tokens: number;
  llm_completion_tokens: number;
}

export interface LlmFigures {
  calls: number;
  cost_micros: number;
  prompt_tokens: number;
  completion_tokens: number;
}

export interface OracleWindowResult {
  resolution_id: string;
  bid_count: number;
  minted_total: number;
  ubi_total: number;
  winners: Array<{ bidder: string; artifact_id: string; price: number; score: number | null; minted: number; outcome: string }>;
}

/** Rights of one resource sold through genesis_escrow (buy_right's public `right_sold` events) in a window. */
export interface RightWindowTrades {
  trades: number;
  /** Units of the right sold. */
  amount: number;
  /** Scrip paid for them. */
  scrip: number;
  /** scrip / amount: the window's average price per unit (a fraction, not money). */
  unit_price: number;
  /** The last sale's price / amount. */
  last_unit_price: number;
}

/** Bounties in a window (genesis_bounty): from their events, and the checks that ended in it. */
export interface BountyWindowFigures {
  posted: number;
  /** Scrip the bounties posted hold as rewards. */
  posted_rewards: number;
  solved: number;
  /** Scrip paid to winners. */
  rewards_paid: number;
  /** Closed unsolved at their deadline. */
  refunded: number;
  cancelled: number;
  /** Scrip returned to posters, refunded or cancelled. */
  rewards_returned: number;
  /** Submissions whose check ended in the window: passed + failed + late (passed, or not run, after the bounty closed). */
  checked: number;
  passed: number;
  failed: number;
  late: number;
}

/** The breakdowns stored in metrics_windows.data. */
export interface MetricsWindowData {
  /** Every principal that acted, spent compute or paid for LLM calls in the window. */
  per_agent: Record<string, AgentWindowFigures>;
  /** Finished actions by action type ('invalid' for outputs that were not an action). */
  actions_by_type: Record<string, number>;
  /** LLM calls the system paid for (the oracle's scorer). */
  llm_system: LlmFigures;
  /**
   * Debts when the window was aggregated, by principal: bucket balances below zero (negative), and
   * the scrip still owed on active genesis_debt contracts (positive, by debtor).
   */
  debt: { as_of: string; compute: Record<string, number>; llm_tokens: Record<string, number>; scrip: Record<string, number> };
  scrip: { supply: number; minted: number; returned_to_mint: number };
  transfers: { count: number; volume: number; by_kind: Record<string, { count: number; volume: number }> };
  artifacts: { created: number; by_type: Record<string, number>; by_creator: Record<string, number> };
  oracle: OracleWindowResult[];
  /** Rights sold, by resource (absent in windows aggregated before rights were traded). */
  rights?: Record<string, RightWindowTrades>;
  /** Bounties (absent in windows aggregated before bounties were recorded). */
  bounties?: BountyWindowFigures;
}

/** The scalar figures of a window (columns of metrics_windows). */
export interface MetricsScalars {
  actions: number;
  compute_spent: number;
  llm_cost_micros: number;
  llm_cost_total_micros: number;
  scrip_supply: number;
  minted: number;
  transfer_count: number;
  transfer_volume: number;
  artifacts_created: number;
  oracle_resolutions: number;
  /** Principals in debt (src/buckets/debt.ts: a compute or LLM-token bucket below zero); scrip owed on contracts is data.debt.scrip. */
  principals_in_debt: number;
}

/** One row of metrics_windows. */
export interface MetricsWindow extends MetricsScalars {
  window_start: string;
  window_end: string;
  data: MetricsWindowData;
  computed_at: string;
}

/** The scalar figures of a window: what the workflow returns (the breakdowns stay in PostgreSQL). */
export type MetricsWindowSummary = Omit<MetricsWindow, 'data'>;

export interface MetricsActivityOptions {
  timeoutMs: number;
  initialIntervalMs: number;
  maximumIntervalMs: number;
}

/** Options of the retention pruning that follows each window (config retention.activities). */
export interface RetentionActivityOptions extends MetricsActivityOptions {
  maximumAttempts: number;
}

/**
 * Input of metricsWindowWorkflow. The schedule passes the static part (window length, activity
 * options); the time comes from the schedule's scheduled start. A hand-started run may leave
 * everything out: configuration and the run's start time fill in.
 */
export interface MetricsWindowInput {
  /** Any time after the window to aggregate: the window is the last whole one ending at or before it. */
  scheduledAt?: string;
  windowSeconds?: number;
  activities?: MetricsActivityOptions;
  /** Absent in schedules made before retention pruning ran after each window. */
  retentionActivities?: RetentionActivityOptions;
  /** The id of the world it aggregates (src/world/identity.ts); absent in schedules made before worlds had ids. */
  world?: string;
}
