import type { AuditCheck, Invariant } from '../ledger/audit';

/**
 * Audit invariant for the LLM budget: what the budget row says is spent equals the sum of the
 * recorded calls' costs and of the worst cases charged for attempts whose outcome is unknown, what
 * it holds equals what open calls hold, and the spend is within it.
 */
export const llmBudgetCheck: Invariant = async (client): Promise<AuditCheck> => {
  const r = await client.query<{ budget: number | null; spent: number | null; reserved: number | null; calls_cost: number; calls_held: number }>(
    `SELECT b.budget_micros AS budget, b.spent_micros AS spent, b.reserved_micros AS reserved,
            (SELECT COALESCE(sum(cost_micros), 0) FROM llm_calls)::bigint + (SELECT COALESCE(sum(cost_micros), 0) FROM llm_abandoned_attempts)::bigint AS calls_cost,
            (SELECT COALESCE(sum(reserved_micros), 0)::bigint FROM llm_calls WHERE status = 'reserved') AS calls_held
     FROM (SELECT 1) one LEFT JOIN llm_budget b ON b.id`,
  );
  const x = r.rows[0];
  const spent = x.spent ?? 0;
  const reserved = x.reserved ?? 0;
  const problems: string[] = [];
  if (spent !== x.calls_cost) problems.push(`budget says ${spent} spent, calls cost ${x.calls_cost}`);
  if (reserved !== x.calls_held) problems.push(`budget holds ${reserved}, open calls hold ${x.calls_held}`);
  if (x.budget !== null && spent > x.budget) problems.push(`spent ${spent} is over the budget of ${x.budget}`);
  return {
    name: 'llm_budget_consistent',
    ok: problems.length === 0,
    detail: problems.length === 0 ? 'LLM spend matches the call records and stays within the budget' : problems.join('; '),
  };
};
