/** The SandboxPool a process uses, made from the `sandbox` section of the configuration. */
import type Docker from 'dockerode';
import type { EcologyConfig } from '../config/schema';
import { checkDocker, connectDocker, SandboxPool } from '../sandbox';

export function sandboxPoolFromConfig(config: EcologyConfig, opts: { docker?: Docker } = {}): SandboxPool {
  const s = config.sandbox;
  return new SandboxPool({
    docker: opts.docker ?? connectDocker(),
    ...(s.image ? { image: s.image } : { imageName: s.imageName }),
    limits: { ...s.limits },
    idleMs: s.idleMs,
    maxContainers: s.maxContainers,
    maxContainersPerOwner: s.maxContainersPerOwner,
    queueTimeoutMs: s.queueTimeoutMs,
    startTimeoutMs: s.startTimeoutMs,
  });
}

/**
 * A pool when a Docker daemon answers, else null (with the reason), for processes that serve the
 * sandbox only where they can: a worker without Docker still serves everything else.
 */
export async function sandboxPoolIfDocker(config: EcologyConfig, opts: { docker?: Docker; timeoutMs?: number } = {}): Promise<{ pool: SandboxPool | null; reason?: string }> {
  const docker = opts.docker ?? connectDocker();
  const status = await checkDocker(docker, opts.timeoutMs ?? 2000);
  if (!status.ok) return { pool: null, reason: status.reason };
  return { pool: sandboxPoolFromConfig(config, { docker }) };
}
