import { defineQuery, defineSignal, type SignalDefinition } from '@temporalio/workflow';
import { AGENT_SIGNALS, AGENT_STATE_QUERY, type AgentSignalArgs, type AgentSignalName, type AgentState } from './types';

/**
 * The agent workflow's signals and query (SPEC section 8), for workflow code and clients alike:
 * this file imports no workflow code.
 */
export const wakeSignal = defineSignal<AgentSignalArgs['wake']>(AGENT_SIGNALS.wake);
export const pauseSignal = defineSignal<AgentSignalArgs['pause']>(AGENT_SIGNALS.pause);
export const resumeSignal = defineSignal<AgentSignalArgs['resume']>(AGENT_SIGNALS.resume);
export const stopSignal = defineSignal<AgentSignalArgs['stop']>(AGENT_SIGNALS.stop);
export const configChangedSignal = defineSignal<AgentSignalArgs['configChanged']>(AGENT_SIGNALS.configChanged);
export const balanceChangedSignal = defineSignal<AgentSignalArgs['balanceChanged']>(AGENT_SIGNALS.balanceChanged);
export const eventSignal = defineSignal<AgentSignalArgs['event']>(AGENT_SIGNALS.event);
export const stateQuery = defineQuery<AgentState>(AGENT_STATE_QUERY);

/** Each signal's definition by its name (AgentControl.signal names one). */
export const agentSignals: { [N in AgentSignalName]: SignalDefinition<AgentSignalArgs[N]> } = {
  wake: wakeSignal,
  pause: pauseSignal,
  resume: resumeSignal,
  stop: stopSignal,
  configChanged: configChangedSignal,
  balanceChanged: balanceChangedSignal,
  event: eventSignal,
};
