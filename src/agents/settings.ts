import type { EcologyConfig } from '../config/schema';
import type { AgentLoopSettings } from './types';

/** The loop's settings from configuration (the workflow gets them through an activity). */
export function loopSettings(config: EcologyConfig): AgentLoopSettings {
  const a = config.agents;
  return {
    maxIterationsPerRun: a.maxIterationsPerRun,
    maxHistoryEventsPerRun: a.maxHistoryEventsPerRun,
    maxSleepSeconds: a.maxSleepSeconds,
    minRecheckMs: a.minRecheckMs,
    budgetRecheckSeconds: a.budgetRecheckSeconds,
    blockedRecheckSeconds: a.blockedRecheckSeconds,
    errorBackoffSeconds: a.errorBackoffSeconds,
    memorySize: a.memorySize,
    thinkTimeoutMs: a.activities.thinkTimeoutMs,
    thinkHeartbeatTimeoutMs: a.activities.thinkHeartbeatTimeoutMs,
    activityTimeoutMs: a.activities.timeoutMs,
    maximumAttempts: a.activities.maximumAttempts,
    initialIntervalMs: a.activities.initialIntervalMs,
    maximumIntervalMs: a.activities.maximumIntervalMs,
  };
}
