/** Ids of the genesis artifacts: services, access contracts and system accounts. */
export const GENESIS_SERVICES = [
  'genesis_ledger',
  'genesis_store',
  'genesis_escrow',
  'genesis_rights_registry',
  'genesis_oracle',
  'genesis_event_log',
  'genesis_debt',
  'genesis_bounty',
] as const;
export type GenesisService = (typeof GENESIS_SERVICES)[number];

export const CONTRACTS = {
  selfOwned: 'genesis_self_owned',
  ownerOnly: 'genesis_owner_only',
  private: 'genesis_private',
  public: 'genesis_public',
} as const;
export const GENESIS_CONTRACTS: readonly string[] = Object.values(CONTRACTS);

/**
 * System accounts: they may hold any balance, and the audit checks what they must hold. Escrow holds
 * artifacts, not scrip (a purchase pays the seller directly), so it needs no holding account.
 */
export const SYSTEM_ACCOUNTS = {
  mint: 'mint',
  treasury: 'treasury',
  oracleHold: 'hold_oracle',
  invokeHold: 'hold_invoke',
  bountyHold: 'hold_bounty',
} as const;
export const SYSTEM_ACCOUNT_IDS: readonly string[] = Object.values(SYSTEM_ACCOUNTS);

/**
 * Accounts whose movements are private to the other party (and operators): hold_oracle holds sealed
 * bids, so a transfer into or out of it would show a bid's bidder and amount (src/ledger/sealed.ts).
 */
export const SEALED_ACCOUNTS: readonly string[] = [SYSTEM_ACCOUNTS.oracleHold];

export const SCRIP = 'scrip';
