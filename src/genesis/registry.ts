import type { GenesisServiceDef } from './context';
import type { GenesisService } from './ids';
import { debtService } from './services/debt';
import { escrowService } from './services/escrow';
import { eventLogService } from './services/eventLog';
import { ledgerService } from './services/ledger';
import { rightsService } from './services/rights';
import { storeService } from './services/store';
import { oracleService } from './services/oracle';
import { bountyService } from './services/bounty';

/** Every genesis service and its methods. */
export const GENESIS: Record<GenesisService, GenesisServiceDef> = {
  genesis_ledger: ledgerService,
  genesis_store: storeService,
  genesis_escrow: escrowService,
  genesis_rights_registry: rightsService,
  genesis_oracle: oracleService,
  genesis_event_log: eventLogService,
  genesis_debt: debtService,
  genesis_bounty: bountyService,
};

export function isGenesisService(id: string): id is GenesisService {
  return Object.prototype.hasOwnProperty.call(GENESIS, id);
}

/** The method list shown to agents: `service.method: description`. */
export function methodCatalogue(): Array<{ artifact: string; method: string; description: string }> {
  return Object.entries(GENESIS).flatMap(([artifact, methods]) =>
    Object.entries(methods).map(([name, m]) => ({ artifact, method: name, description: m.description })),
  );
}

/** Whether a call's arguments are sealed (GenesisMethod.sealedArgs): summaries others see leave them out. */
export function hasSealedArgs(artifact: string, method: string): boolean {
  if (!isGenesisService(artifact)) return false;
  const m = GENESIS[artifact];
  return Object.prototype.hasOwnProperty.call(m, method) && m[method]!.sealedArgs === true;
}
