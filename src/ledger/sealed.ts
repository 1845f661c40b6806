import { SEALED_ACCOUNTS } from '../ids';

/**
 * Sealed accounts (SEALED_ACCOUNTS: the oracle's hold of sealed bids): a movement into or out of
 * one is seen only by its other party and by operators. Its `transfer` event names that party as
 * its audience, and ledger history shows the journal row only to that party.
 */

export function isSealedAccount(principal: string): boolean {
  return SEALED_ACCOUNTS.includes(principal);
}

/** The audience of a transfer's event: the other party of a sealed account, else null (public). */
export function transferAudience(from: string, to: string): string | null {
  if (isSealedAccount(from)) return to;
  if (isSealedAccount(to)) return from;
  return null;
}

/**
 * SQL: a journal row (its columns unqualified) that the principal in the parameter `viewer` may see;
 * `sealed` is the parameter holding SEALED_ACCOUNTS as text[].
 */
export const journalVisibleToSql = (viewer: string, sealed: string): string =>
  `(NOT (debit_principal = ANY(${sealed}) OR credit_principal = ANY(${sealed})) OR ${viewer} IN (debit_principal, credit_principal))`;

/** SQL: a journal row that touches no sealed account (`sealed` as above): what public figures count. */
export const journalPublicSql = (sealed: string): string => `NOT (debit_principal = ANY(${sealed}) OR credit_principal = ANY(${sealed}))`;
