import type { Command } from '../command';
import { auditCommand } from './audit';
import { balancesCommand } from './balances';
import { invokeCommand } from './invoke';
import { metricsCommand } from './metrics';
import { migrateCommand } from './migrate';
import { principalCommand } from './principal';
import { upCommand } from './up';
import { workerCommand } from './worker';

export const COMMANDS: Command[] = [upCommand, migrateCommand, auditCommand, principalCommand, invokeCommand, balancesCommand, workerCommand, metricsCommand];
