import type { Pool } from 'pg';
import { debtsNow, principalsInDebt } from '../buckets/debt';
import { withTransaction } from '../db/tx';
import { invalid } from '../errors';
import * as q from './queries';
import type { AgentWindowFigures, LlmFigures, MetricsWindow, MetricsWindowBounds, MetricsWindowData, OracleWindowResult, RightWindowTrades } from './types';

const noFigures = (): AgentWindowFigures => ({
  actions: 0, actions_ok: 0, actions_failed: 0, actions_invalid: 0, compute: 0, llm_calls: 0, llm_cost_micros: 0, llm_prompt_tokens: 0, llm_completion_tokens: 0,
});

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

/** An `oracle_resolved` event's data (src/oracle/resolution.ts ResolutionResults) as a window records it. */
function oracleResult(data: Record<string, unknown>): OracleWindowResult {
  const winners = Array.isArray(data.winners) ? (data.winners as Array<Record<string, unknown>>) : [];
  const ubi = (data.ubi ?? {}) as Record<string, unknown>;
  return {
    resolution_id: String(data.resolution_id ?? ''),
    bid_count: Number(data.bid_count ?? 0),
    minted_total: Number(data.minted_total ?? 0),
    ubi_total: Number(ubi.total ?? 0),
    winners: winners.map((w) => ({
      bidder: String(w.bidder ?? ''),
      artifact_id: String(w.artifact_id ?? ''),
      price: Number(w.price ?? 0),
      score: typeof w.score === 'number' ? w.score : null,
      minted: Number(w.minted ?? 0),
      outcome: String(w.outcome ?? ''),
    })),
  };
}

/** Price discovery: the rights sold in the window (its `right_sold` events, oldest first), by resource. */
function rightTrades(sales: Array<{ data: Record<string, unknown> }>): Record<string, RightWindowTrades> {
  const out: Record<string, RightWindowTrades> = {};
  for (const { data } of sales) {
    const amount = Number(data.amount ?? 0);
    const price = Number(data.price ?? 0);
    if (typeof data.resource !== 'string' || !(amount > 0)) continue;
    const r = (out[data.resource] ??= { trades: 0, amount: 0, scrip: 0, unit_price: 0, last_unit_price: 0 });
    r.trades += 1;
    r.amount += amount;
    r.scrip += price;
    r.unit_price = r.scrip / r.amount;
    r.last_unit_price = price / amount;
  }
  return out;
}

/** What each debtor still owes on its active scrip debt contracts (not "in debt": see src/buckets/debt.ts). */
async function scripOwed(client: Parameters<typeof q.scripDebtsOutstanding>[0]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const d of await q.scripDebtsOutstanding(client)) out[d.debtor_id] = d.outstanding;
  return out;
}

/**
 * Aggregates the window [start, end) into metrics_windows, replacing an earlier aggregation of the
 * same window start (so a retried or repeated run is harmless). Everything but the debts is
 * computed from timestamped history and comes out the same however late it runs; the debts are
 * the buckets as of the aggregation. One REPEATABLE READ transaction: a consistent snapshot.
 */
export async function aggregateWindow(pool: Pool, window: MetricsWindowBounds, maxRetries?: number): Promise<MetricsWindow> {
  const w = { start: new Date(window.start), end: new Date(window.end) };
  if (Number.isNaN(w.start.getTime()) || Number.isNaN(w.end.getTime()) || w.end <= w.start) throw invalid('a metrics window needs start < end');
  return withTransaction(
    pool,
    async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const perAgent: Record<string, AgentWindowFigures> = {};
      const agent = (id: string) => (perAgent[id] ??= noFigures());

      const byType: Record<string, number> = {};
      let actions = 0;
      for (const a of await q.actionCounts(client, w)) {
        const f = agent(a.agent_id);
        f.actions += a.n;
        if (a.status === 'done') f.actions_ok += a.n;
        else if (a.status === 'failed') f.actions_failed += a.n;
        else f.actions_invalid += a.n;
        bump(byType, a.status === 'invalid' ? 'invalid' : (a.action_type ?? 'unknown'), a.n);
        actions += a.n;
      }

      let computeSpent = 0;
      for (const c of await q.computeSpent(client, w)) {
        agent(c.principal).compute += c.amount;
        computeSpent += c.amount;
      }

      const system: LlmFigures = { calls: 0, cost_micros: 0, prompt_tokens: 0, completion_tokens: 0 };
      let llmCost = 0;
      for (const l of await q.llmSpent(client, w)) {
        llmCost += l.cost_micros;
        if (l.payer_id === null) {
          Object.assign(system, { calls: l.calls, cost_micros: l.cost_micros, prompt_tokens: l.prompt_tokens, completion_tokens: l.completion_tokens });
          continue;
        }
        const f = agent(l.payer_id);
        f.llm_calls += l.calls;
        f.llm_cost_micros += l.cost_micros;
        f.llm_prompt_tokens += l.prompt_tokens;
        f.llm_completion_tokens += l.completion_tokens;
      }

      const mint = await q.mintFlowsBefore(client, w.end);
      const transfers: MetricsWindowData['transfers'] = { count: 0, volume: 0, by_kind: {} };
      let minted = 0;
      let returned = 0;
      for (const t of await q.scripTransfers(client, w)) {
        transfers.count += t.count;
        transfers.volume += t.volume;
        transfers.by_kind[t.kind] = { count: t.count, volume: t.volume };
        minted += t.minted;
        returned += t.returned;
      }

      const created = await q.eventsOfType(client, 'artifact_created', w);
      const artifacts: MetricsWindowData['artifacts'] = { created: created.length, by_type: {}, by_creator: {} };
      for (const e of created) {
        bump(artifacts.by_type, typeof e.data.type === 'string' ? e.data.type : 'unknown');
        if (e.actor_id) bump(artifacts.by_creator, e.actor_id);
      }

      const oracle = (await q.eventsOfType(client, 'oracle_resolved', w)).map((e) => oracleResult(e.data));
      const debt = { as_of: (await q.dbNow(client)).toISOString(), ...(await debtsNow(client)), scrip: await scripOwed(client) };

      const data: MetricsWindowData = {
        per_agent: perAgent,
        actions_by_type: byType,
        llm_system: system,
        debt,
        scrip: { supply: mint.issued - mint.returned, minted, returned_to_mint: returned },
        transfers,
        artifacts,
        oracle,
        rights: rightTrades(await q.eventsOfType(client, 'right_sold', w)),
        bounties: await q.bountyFigures(client, w),
      };
      return q.upsertWindow(client, w, {
        actions,
        compute_spent: computeSpent,
        llm_cost_micros: llmCost,
        llm_cost_total_micros: await q.llmSpentBefore(client, w.end),
        scrip_supply: data.scrip.supply,
        minted,
        transfer_count: transfers.count,
        transfer_volume: transfers.volume,
        artifacts_created: artifacts.created,
        oracle_resolutions: oracle.length,
        principals_in_debt: principalsInDebt(debt),
        data,
      });
    },
    maxRetries,
  );
}
