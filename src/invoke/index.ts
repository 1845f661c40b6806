/** Invoking artifacts: the one entry point (invoke), the saga's steps, custom contracts, Temporal glue. */
export { invoke, runSagaInProcess } from './invoke';
export { holdInvocation, FUNCTION_NAME } from './hold';
export { runInvocation, type RunInput } from './run';
export { settleInvocation, invocationOutcome, type SettleInput } from './settle';
export { createContractCheck, hooksOf, contractCheckId } from './contract';
export { invocationHoldCheck } from './audit';
export { sandboxPoolFromConfig, sandboxPoolIfDocker } from './sandboxPool';
export { temporalSagaRunner, invokeWorkflowInput, invokeWorkflowId, INVOKE_WORKFLOW_TYPE } from './temporal';
export { childKey, invocationIds, bridgeKey, MAX_INVOCATION_KEY } from './keys';
export type * from './types';
