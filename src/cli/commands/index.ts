import type { Command } from '../command';
import { agentCommand } from './agent';
import { agentsCommand } from './agents';
import { artifactsCommand } from './artifacts';
import { auditCommand } from './audit';
import { balancesCommand } from './balances';
import { benchCommand } from './bench';
import { bountiesCommand } from './bounties';
import { bootstrapCommand } from './bootstrap';
import { calibrateCommand } from './calibrate';
import { dashboardCommand } from './dashboard';
import { escrowCommand } from './escrow';
import { eventsCommand } from './events';
import { experimentCommand } from './experiment';
import { invokeCommand } from './invoke';
import { metricsCommand } from './metrics';
import { migrateCommand } from './migrate';
import { oracleCommand } from './oracle';
import { principalCommand } from './principal';
import { pauseCommand, resumeCommand, stopCommand, wakeCommand } from './signal';
import { spawnCommand } from './spawn';
import { treasuryCommand } from './treasury';
import { upCommand } from './up';
import { workerCommand } from './worker';
import { shutdownCommand, summaryCommand } from './world';

export const COMMANDS: Command[] = [
  upCommand,
  bootstrapCommand,
  summaryCommand,
  agentsCommand,
  agentCommand,
  wakeCommand,
  pauseCommand,
  resumeCommand,
  stopCommand,
  spawnCommand,
  shutdownCommand,
  artifactsCommand,
  escrowCommand,
  bountiesCommand,
  eventsCommand,
  oracleCommand,
  treasuryCommand,
  calibrateCommand,
  benchCommand,
  migrateCommand,
  auditCommand,
  principalCommand,
  invokeCommand,
  balancesCommand,
  workerCommand,
  metricsCommand,
  dashboardCommand,
  experimentCommand,
];
