import type { AuditCheck, Invariant } from '../ledger/audit';

/**
 * Every right is conserved: what principals hold plus what was consumed equals what was issued.
 * Rights offered for sale count as held: genesis_escrow holds them until the offer closes (the
 * escrow check in src/ledger/audit.ts matches its holdings to the open offers).
 * LLM dollars are consumed by paid calls (settled ones at their cost, abandoned attempts at their
 * worst case); the other rights are not consumed.
 */
export const quotasConservedCheck: Invariant = async (client): Promise<AuditCheck> => {
  const r = await client.query<{ resource: string; held: string; consumed: string; issued: string }>(
    `WITH held AS (SELECT resource, sum(amount) AS held FROM quotas GROUP BY resource),
       consumed AS (
         SELECT 'llm_dollars'::text AS resource,
           (SELECT COALESCE(sum(cost_micros), 0) FROM llm_calls WHERE payer_id IS NOT NULL)
           + (SELECT COALESCE(sum(cost_micros), 0) FROM llm_abandoned_attempts WHERE payer_id IS NOT NULL) AS consumed)
     SELECT resource, COALESCE(h.held, 0)::text AS held, COALESCE(c.consumed, 0)::text AS consumed, COALESCE(i.amount, 0)::text AS issued
     FROM held h FULL JOIN quota_issued i USING (resource) LEFT JOIN consumed c USING (resource)
     WHERE COALESCE(h.held, 0) + COALESCE(c.consumed, 0) <> COALESCE(i.amount, 0)
     ORDER BY resource`,
  );
  return {
    name: 'quotas_conserved',
    ok: r.rowCount === 0,
    detail: r.rowCount === 0
      ? 'for every right, held plus consumed equals issued'
      : r.rows.map((x) => `${x.resource}: held ${x.held} + consumed ${x.consumed}, issued ${x.issued}`).join('; '),
  };
};
