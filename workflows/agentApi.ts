import { defineQuery, defineSignal } from '@temporalio/workflow';
import { AGENT_SIGNALS, AGENT_STATE_QUERY, type AgentState } from '../src/agents/types';

/** The agent workflow's signals and query (SPEC section 8), for workflow code and clients alike. */
export const wakeSignal = defineSignal(AGENT_SIGNALS.wake);
export const pauseSignal = defineSignal(AGENT_SIGNALS.pause);
export const resumeSignal = defineSignal(AGENT_SIGNALS.resume);
export const stopSignal = defineSignal(AGENT_SIGNALS.stop);
/** Its configuration (the agent artifact's content) changed; the payload is informational. */
export const configChangedSignal = defineSignal<[unknown?]>(AGENT_SIGNALS.configChanged);
export const balanceChangedSignal = defineSignal<[unknown?]>(AGENT_SIGNALS.balanceChanged);
/** An event the agent sleeps on happened: `key` names the sleeping iteration. */
export const eventSignal = defineSignal<[{ key: string; type: string; seq: number }]>(AGENT_SIGNALS.event);
export const stateQuery = defineQuery<AgentState>(AGENT_STATE_QUERY);
