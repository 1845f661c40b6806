import type { Command } from '../command';
import { auditCommand } from './audit';
import { balancesCommand } from './balances';
import { invokeCommand } from './invoke';
import { migrateCommand } from './migrate';
import { principalCommand } from './principal';

export const COMMANDS: Command[] = [migrateCommand, auditCommand, principalCommand, invokeCommand, balancesCommand];
