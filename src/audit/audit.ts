import type { Pool } from 'pg';
import { bountyHoldCheck } from '../bounties/audit';
import { invocationHoldCheck } from '../invoke/audit';
import { LEDGER_CHECKS, runAudit, type AuditReport, type Invariant } from '../ledger/audit';
import { llmBudgetCheck } from '../llm/audit';
import { oracleHoldCheck } from '../oracle/audit';
import { quotasConservedCheck } from '../rights/audit';

/**
 * Every invariant of the economy, in the order the report lists them. The list is composed here,
 * above all the parts it names: the ledger only runs checks and knows none of the parts above it.
 */
export const AUDIT_CHECKS: readonly Invariant[] = [...LEDGER_CHECKS, oracleHoldCheck, llmBudgetCheck, invocationHoldCheck, quotasConservedCheck, bountyHoldCheck];

/** The audit (`ecology audit`, tests, benches): every invariant in one repeatable-read snapshot. */
export function audit(pool: Pool): Promise<AuditReport> {
  return runAudit(pool, AUDIT_CHECKS);
}
