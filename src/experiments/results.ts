/**
 * Reads an arm's results from its database (after its workflows stopped) and computes them with
 * the pure functions of ./metrics. Times are seconds from the arm's start.
 */
import type { Pool } from 'pg';
import { readBucket } from '../buckets/store';
import { SCRIP } from '../ids';
import {
  efficiency,
  giniOverTime,
  gini,
  mean,
  reuse,
  sampleTimes,
  solvedOverTime,
  specialisation,
  type Efficiency,
  type InvocationRow,
  type Reuse,
  type Solve,
} from './metrics';
import { SUITE_SPONSOR } from './suite';

export interface OracleScore {
  resolution: string;
  bidder: string;
  artifact: string;
  score: number;
  price: number;
  minted: number;
}

export interface ArtifactSale {
  at: number;
  artifact: string;
  seller: string;
  buyer: string;
  price: number;
}

export interface RightSale {
  at: number;
  resource: string;
  amount: number;
  price: number;
  unit_price: number;
  seller: string;
  buyer: string;
}

export interface ArmResults {
  agents: string[];
  bounties: {
    posted: number;
    solved: number;
    /** Sum of the winning scores. */
    score: number;
    solves: Solve[];
    solved_over_time: Array<{ t: number; solved: number }>;
    /** Submissions by status (bounty_submissions), when the table exists. */
    submissions: Record<string, number>;
  } & Efficiency;
  oracle: { scores: OracleScore[]; mean_score: number | null };
  spend: {
    dollars: number;
    llm_calls: number;
    per_agent_dollars: Record<string, number>;
    /** CPU of agent code in the sandbox, and of the local model's inferences. */
    cpu_ms_sandbox: number;
    cpu_ms_llm: number;
  };
  reuse: Reuse;
  specialisation: ReturnType<typeof specialisation>;
  wealth: {
    gini_scrip_over_time: Array<{ t: number; gini: number | null }>;
    final_gini_scrip: number | null;
    final_scrip: Record<string, number>;
    /** Compute (CPU-ms) each agent has available at the end (a debt counts as 0), and its Gini. */
    final_compute: Record<string, number>;
    final_gini_compute: number | null;
  };
  trades: { count: number; artifact_sales: ArtifactSale[]; right_sales: RightSale[]; mean_unit_price_by_right: Record<string, number> };
}

const seconds = (at: Date, start: Date) => Math.max(0, (at.getTime() - start.getTime()) / 1000);

async function tableExists(pool: Pool, name: string): Promise<boolean> {
  return (await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])).rows[0].t !== null;
}

/** The arm's agents: every agent principal (the spec's and those they created), genesis ones aside. */
async function agentsOf(pool: Pool): Promise<string[]> {
  return (await pool.query<{ id: string }>('SELECT id FROM artifacts WHERE has_standing AND can_execute AND NOT genesis ORDER BY id')).rows.map((r) => r.id);
}

export async function readArmResults(pool: Pool, window: { start: Date; end: Date; points: number }): Promise<ArmResults> {
  const { start } = window;
  const times = sampleTimes(seconds(window.end, start), window.points);
  const agents = await agentsOf(pool);

  const events = (type: string) => pool.query<{ data: Record<string, unknown>; created_at: Date }>('SELECT data, created_at FROM events WHERE type = $1 ORDER BY seq', [type]);
  const solves: Solve[] = (await events('bounty_solved')).rows.map((r) => ({
    at: seconds(r.created_at, start),
    bounty: String(r.data.bounty_id),
    solver: String(r.data.solver),
    reward: Number(r.data.reward),
    score: Number(r.data.score ?? 0),
  }));
  const posted = (await events('bounty_posted')).rows.length;
  const submissions: Record<string, number> = {};
  if (await tableExists(pool, 'bounty_submissions')) {
    for (const r of (await pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM bounty_submissions GROUP BY status ORDER BY status')).rows) submissions[r.status] = r.n;
  }

  const budget = (await pool.query<{ spent: string }>('SELECT COALESCE((SELECT spent_micros FROM llm_budget), 0)::text AS spent')).rows[0];
  const dollars = Number(budget.spent) / 1_000_000;
  const calls = await pool.query<{ payer: string | null; micros: string; n: number; cpu: string }>(
    `SELECT payer_id AS payer, sum(cost_micros)::text AS micros, count(*)::int AS n, sum(compute_ms)::text AS cpu FROM llm_calls WHERE status <> 'reserved' GROUP BY payer_id ORDER BY payer_id`,
  );
  const perAgent: Record<string, number> = {};
  for (const r of calls.rows) if (r.payer) perAgent[r.payer] = Number(r.micros) / 1_000_000;

  // Invocations that ran (paid, or refunded after a failed run); refused ones never touched the
  // artifact. The suite's checkers (the sponsor's) are the experiment's instrument, not reuse.
  const inv = await pool.query<{ invoker: string; artifact: string; owner: string | null; depth: number; cpu: string }>(
    `SELECT invoker_id AS invoker, artifact_id AS artifact, owner_id AS owner, depth, cpu_ms::text AS cpu FROM invocations WHERE status IN ('paid', 'refunded') ORDER BY created_at, key`,
  );
  const invocations: InvocationRow[] = inv.rows.filter((r) => r.owner !== SUITE_SPONSOR).map((r) => ({ invoker: r.invoker, artifact: r.artifact, owner: r.owner, depth: r.depth }));
  const actions = await pool.query<{ agent: string; type: string }>(`SELECT agent_id AS agent, action_type AS type FROM agent_actions WHERE status IN ('done', 'failed') AND action_type IS NOT NULL`);

  const journal = await pool.query<{ from: string; to: string; amount: string; created_at: Date }>(
    'SELECT debit_principal AS "from", credit_principal AS "to", amount::text AS amount, created_at FROM journal WHERE asset = $1 ORDER BY seq',
    [SCRIP],
  );
  const movements = journal.rows.map((r) => ({ at: seconds(r.created_at, start), from: r.from, to: r.to, amount: Number(r.amount) }));
  const balances = await pool.query<{ id: string; balance: string }>('SELECT principal_id AS id, balance::text AS balance FROM accounts WHERE asset = $1 AND principal_id = ANY($2)', [SCRIP, agents]);
  const finalScrip: Record<string, number> = Object.fromEntries(agents.map((a) => [a, 0]));
  for (const r of balances.rows) finalScrip[r.id] = Number(r.balance);

  const finalCompute: Record<string, number> = {};
  const db = await pool.connect();
  try {
    for (const a of agents) finalCompute[a] = Math.max(0, (await readBucket(db, a, 'compute')).available);
  } finally {
    db.release();
  }

  const oracle = await pool.query<{ resolution: string; bidder: string; artifact: string; score: number; price: string; minted: string }>(
    `SELECT resolution_id AS resolution, bidder_id AS bidder, artifact_id AS artifact, score, price::text AS price, minted::text AS minted
     FROM oracle_slots WHERE score IS NOT NULL ORDER BY resolution_id, slot`,
  );
  const scores = oracle.rows.map((r) => ({ resolution: r.resolution, bidder: r.bidder, artifact: r.artifact, score: r.score, price: Number(r.price), minted: Number(r.minted) }));

  const sales = await pool.query<{ artifact: string; seller: string; buyer: string; price: string; closed_at: Date }>(
    `SELECT artifact_id AS artifact, seller_id AS seller, purchaser_id AS buyer, price::text AS price, closed_at FROM escrow_listings WHERE status = 'sold' ORDER BY closed_at, id`,
  );
  const rights = await pool.query<{ resource: string; amount: string; price: string; seller: string; buyer: string; closed_at: Date }>(
    `SELECT resource, amount::text AS amount, price::text AS price, seller_id AS seller, purchaser_id AS buyer, closed_at FROM right_offers WHERE status = 'sold' ORDER BY closed_at, id`,
  );
  const rightSales: RightSale[] = rights.rows.map((r) => ({
    at: seconds(r.closed_at, start),
    resource: r.resource,
    amount: Number(r.amount),
    price: Number(r.price),
    unit_price: Number(r.price) / Number(r.amount),
    seller: r.seller,
    buyer: r.buyer,
  }));
  const unitPrices: Record<string, number> = {};
  for (const resource of new Set(rightSales.map((s) => s.resource))) unitPrices[resource] = mean(rightSales.filter((s) => s.resource === resource).map((s) => s.unit_price)) as number;

  const score = solves.reduce((a, s) => a + s.score, 0);
  return {
    agents,
    bounties: {
      posted,
      solved: solves.length,
      score,
      solves,
      solved_over_time: solvedOverTime(solves, times),
      submissions,
      ...efficiency({ solved: solves.length, score, dollars }),
    },
    oracle: { scores, mean_score: mean(scores.map((s) => s.score)) },
    spend: {
      dollars,
      llm_calls: calls.rows.reduce((a, r) => a + r.n, 0),
      per_agent_dollars: perAgent,
      cpu_ms_sandbox: inv.rows.reduce((a, r) => a + Number(r.cpu), 0),
      cpu_ms_llm: calls.rows.reduce((a, r) => a + Number(r.cpu ?? 0), 0),
    },
    reuse: reuse(invocations),
    specialisation: specialisation(agents, actions.rows, invocations),
    wealth: { gini_scrip_over_time: giniOverTime(agents, movements, times), final_gini_scrip: gini(agents.map((a) => finalScrip[a])),
      final_scrip: finalScrip,
      final_compute: finalCompute,
      final_gini_compute: gini(agents.map((a) => finalCompute[a])),
    },
    trades: {
      count: sales.rows.length + rightSales.length,
      artifact_sales: sales.rows.map((r) => ({ at: seconds(r.closed_at, start), artifact: r.artifact, seller: r.seller, buyer: r.buyer, price: Number(r.price) })),
      right_sales: rightSales,
      mean_unit_price_by_right: unitPrices,
    },
  };
}
