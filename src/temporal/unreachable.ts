import { EcologyError } from '../errors';

/** "Cannot reach Temporal" with where and what to do, for the CLI and the worker. */
export function temporalUnreachable(address: string, e: unknown): EcologyError {
  const why = (e as Error)?.message ?? String(e);
  return new EcologyError(
    'UNAVAILABLE',
    `cannot reach Temporal at ${address} (${why}). Start the dev server with "bash scripts/services.sh" (or scripts/start-temporal.sh), or set TEMPORAL_ADDRESS to a running cluster.`,
    { service: 'temporal', address },
  );
}
