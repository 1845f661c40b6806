/** Connecting to the Docker Engine and telling, quickly, whether it answers. */
import Docker from 'dockerode';
import { withTimeout } from '../deadline';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Where a client talks to Docker, for messages. */
export function dockerTarget(docker?: Docker, env: NodeJS.ProcessEnv = process.env): string {
  const modem = docker?.modem as { socketPath?: unknown; host?: string; port?: number; protocol?: string } | undefined;
  if (modem && typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  if (modem?.host) return `${modem.protocol ?? 'http'}://${modem.host}${modem.port ? `:${modem.port}` : ''}`;
  return env.DOCKER_HOST || `unix://${DEFAULT_DOCKER_SOCKET}`;
}

/**
 * A dockerode client for DOCKER_HOST (unix://, tcp://, with the usual DOCKER_TLS_VERIFY /
 * DOCKER_CERT_PATH handled by docker-modem) or the default socket.
 */
export function connectDocker(env: NodeJS.ProcessEnv = process.env): Docker {
  const host = env.DOCKER_HOST;
  if (!host) return new Docker({ socketPath: DEFAULT_DOCKER_SOCKET });
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  return new Docker(); // docker-modem parses DOCKER_HOST itself
}

export type DockerStatus = { ok: true; version: string; apiVersion: string } | { ok: false; reason: string };

export async function checkDocker(docker: Docker, timeoutMs = 2000): Promise<DockerStatus> {
  try {
    const v = await withTimeout(docker.version(), timeoutMs, `the Docker daemon did not answer within ${timeoutMs} ms`);
    return { ok: true, version: v.Version, apiVersion: v.ApiVersion };
  } catch (err) {
    return { ok: false, reason: (err as Error).message || String(err) };
  }
}

export async function isDockerAvailable(docker: Docker, timeoutMs = 2000): Promise<boolean> {
  return (await checkDocker(docker, timeoutMs)).ok;
}

/** The message users see when there is no daemon: what failed and how to fix it. */
export function dockerUnavailableMessage(reason: string, docker?: Docker): string {
  return (
    `No Docker daemon is reachable at ${dockerTarget(docker)} (${reason}). Agent code runs in Docker containers, so ` +
    'start a daemon first: as root, `dockerd > /tmp/dockerd.log 2>&1 &` (or scripts/start-docker.sh), ' +
    'or set DOCKER_HOST to a running daemon.'
  );
}
