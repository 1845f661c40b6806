/**
 * Temporal's floor for the agent loop (bench/agents.ts): a bare workflow whose every iteration is
 * the same sequence of no-op activity round trips as the agent loop's readiness, think and act
 * (`steps`: 'activity' or 'local' for a local activity), with no database or LLM behind them.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

interface FloorActivities {
  floorNoop(input: { last: boolean }): Promise<null>;
}

export interface FloorInput {
  steps: Array<'activity' | 'local'>;
  startToCloseTimeoutMs: number;
}

export async function floorWorkflow(input: FloorInput): Promise<never> {
  const options = { startToCloseTimeout: input.startToCloseTimeoutMs, retry: { maximumAttempts: 10 } };
  const remote = proxyActivities<FloorActivities>(options);
  const local = proxyLocalActivities<FloorActivities>(options);
  for (;;) {
    for (const [i, step] of input.steps.entries()) await (step === 'local' ? local : remote).floorNoop({ last: i === input.steps.length - 1 });
  }
}
