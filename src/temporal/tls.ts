import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { EcologyConfig } from '../config/schema';
import { invalid } from '../errors';

function pem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw invalid(`cannot read the Temporal TLS ${what} ${path}: ${(e as Error).message}`);
  }
}

/**
 * The TLS options of connections to the Temporal frontend (config temporal.tls), or undefined for
 * plaintext. A client certificate (mTLS) lets a server that checks it (README: Securing Temporal)
 * tell the ecology's workers and tools from anyone else who reaches the port.
 */
export function temporalTls(config: EcologyConfig): TLSConfig | undefined {
  const t = config.temporal.tls;
  if (!t.certFile && !t.keyFile && !t.caFile && !t.serverName) return undefined;
  if (!t.certFile !== !t.keyFile) throw invalid('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (temporal.tls.certFile, keyFile) go together: a client certificate and its key');
  return {
    ...(t.certFile && t.keyFile ? { clientCertPair: { crt: pem(t.certFile, 'certificate'), key: pem(t.keyFile, 'key') } } : {}),
    ...(t.caFile ? { serverRootCACertificate: pem(t.caFile, 'CA certificate') } : {}),
    ...(t.serverName ? { serverNameOverride: t.serverName } : {}),
  };
}
