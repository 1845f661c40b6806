import { NativeConnection } from '@temporalio/worker';
import type { EcologyConfig } from '../config/schema';
import { temporalTls } from './tls';
import { temporalUnreachable } from './unreachable';

/** The worker's (native) connection, with the same clear error as the client's. */
export async function connectWorkerConnection(config: EcologyConfig): Promise<NativeConnection> {
  const tls = temporalTls(config);
  try {
    return await NativeConnection.connect({ address: config.temporal.address, tls });
  } catch (e) {
    throw temporalUnreachable(config.temporal.address, e);
  }
}
