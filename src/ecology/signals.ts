import { defineQuery, defineSignal } from '@temporalio/workflow';
import { ECOLOGY_SIGNALS, ECOLOGY_SUMMARY_QUERY, type AgentSpec, type EcologySummary, type ShutdownRequest } from './types';

/**
 * The root workflow's signals and query (SPEC section 12 names the workflow type; these are its
 * API), for workflow code and clients alike: this file imports no workflow code.
 */
export const spawnAgentSignal = defineSignal<[AgentSpec]>(ECOLOGY_SIGNALS.spawnAgent);
export const shutdownSignal = defineSignal<[ShutdownRequest?]>(ECOLOGY_SIGNALS.shutdown);
export const summaryQuery = defineQuery<EcologySummary>(ECOLOGY_SUMMARY_QUERY);
