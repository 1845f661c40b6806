import { NativeConnection } from '@temporalio/worker';
import type { EcologyConfig } from '../config/schema';
import { temporalUnreachable } from './unreachable';

/** The worker's (native) connection, with the same clear error as the client's. */
export async function connectWorkerConnection(config: EcologyConfig): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: config.temporal.address });
  } catch (e) {
    throw temporalUnreachable(config.temporal.address, e);
  }
}
