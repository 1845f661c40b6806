/** The Docker sandbox that runs agent-written JavaScript. See pool.ts for the entry point. */
export { SandboxPool, SANDBOX_LABEL, type SandboxPoolOptions, type PoolContainerInfo } from './pool';
export { ensureSandboxImage, DEFAULT_IMAGE_NAME, type SandboxImage, type SandboxImageOptions } from './image';
export { connectDocker, isDockerAvailable, checkDocker, dockerUnavailableMessage, type DockerStatus } from './docker';
export { DEFAULT_LIMITS, type SandboxLimits, type RunRequest, type RunResult, type SandboxError, type SandboxErrorCode, type BridgeHandler, type BridgeOp } from './types';
