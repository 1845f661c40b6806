import { Client, Connection } from '@temporalio/client';
import type { EcologyConfig } from '../config/schema';
import { temporalTls } from './tls';
import { temporalUnreachable } from './unreachable';

/**
 * A Temporal client for the configured address and namespace. Fails fast with a clear
 * UNAVAILABLE error when the server cannot be reached. Close with `client.connection.close()`.
 */
export async function connectClient(config: EcologyConfig, opts: { namespace?: string; connectTimeoutMs?: number } = {}): Promise<Client> {
  let connection: Connection;
  const tls = temporalTls(config);
  try {
    connection = await Connection.connect({ address: config.temporal.address, tls, ...(opts.connectTimeoutMs ? { connectTimeout: opts.connectTimeoutMs } : {}) });
  } catch (e) {
    throw temporalUnreachable(config.temporal.address, e);
  }
  return new Client({ connection, namespace: opts.namespace ?? config.temporal.namespace });
}
