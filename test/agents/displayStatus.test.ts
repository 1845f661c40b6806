/**
 * The status people see (src/temporal/agentStates.ts displayStatus): a debt that accrual repays soon
 * is `refilling` (normal); one nothing refills, or only much later, is `stuck-in-debt`; a failing
 * think and an unknown status carry why.
 */
import type { AgentState } from '../../src/agents/types';
import { displayStatus, statusLabel, type AgentStateView } from '../../src/temporal/agentStates';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(NOW + ms).toISOString();
const frozen = (recoversAt?: string): AgentStateView => {
  const state: AgentState = { agentId: 'a', status: 'frozen-in-debt', waitingFor: 'llm_tokens debt to be paid off', until: at(1000), iteration: 3, paused: false, memory: [], ...(recoversAt ? { recoversAt } : {}) };
  return { id: 'a', status: 'frozen-in-debt', state };
};

test('a debt repaid within agents.debtNeedsHelpSeconds is refilling; later or never is stuck-in-debt', () => {
  expect(displayStatus(frozen(at(20_000)), 600_000, NOW).status).toBe('refilling');
  const late = displayStatus(frozen(at(HOUR)), 600_000, NOW);
  expect(late).toEqual({ status: 'stuck-in-debt', detail: expect.stringContaining(`accrual repays it only at ${at(HOUR)}`) });
  // No accrual: its recheck time (until) is no recovery.
  const never = displayStatus(frozen(), 600_000, NOW);
  expect(never).toEqual({ status: 'stuck-in-debt', detail: expect.stringContaining('nothing refills it') });
  expect(statusLabel(frozen(), 600_000, NOW)).toMatch(/^stuck-in-debt: /);
});

test('a failing think and an unknown status say why', () => {
  const state: AgentState = { agentId: 'a', status: 'think-failing', thinkError: 'cannot reach http://127.0.0.1:9/v1: Connection error.', iteration: 0, paused: false, memory: [] };
  expect(statusLabel({ id: 'a', status: 'think-failing', state }, 600_000, NOW)).toBe('think-failing: cannot reach http://127.0.0.1:9/v1: Connection error.');
  expect(statusLabel({ id: 'a', status: 'unknown', state: null, reason: 'No worker is serving task queue ecology' }, 600_000, NOW)).toBe('unknown: No worker is serving task queue ecology');
  expect(displayStatus({ id: 'a', status: 'no-workflow', state: null }, 600_000, NOW)).toEqual({ status: 'no-workflow', detail: null });
});
