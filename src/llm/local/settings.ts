import { isAbsolute, join } from 'node:path';
import type { EcologyConfig } from '../../config/schema';

const ROOT = join(__dirname, '..', '..', '..');

/** What the local model's child process needs, from configuration (paths made absolute). */
export interface LocalModelSettings {
  model: string;
  modelPath: string;
  runtimeDir: string;
  threads: number;
  contextSize: number;
  sequences: number;
  maxQueue: number;
  queueTimeoutMs: number;
  inferenceTimeoutMs: number;
}

export function localModelSettings(llm: EcologyConfig['llm']): LocalModelSettings {
  const l = llm.local;
  const fromRoot = (p: string) => (isAbsolute(p) ? p : join(ROOT, p));
  return {
    model: l.model,
    modelPath: fromRoot(l.modelFile),
    runtimeDir: fromRoot(l.runtimeDir),
    threads: l.threads,
    contextSize: l.contextSize,
    sequences: l.sequences,
    maxQueue: l.maxQueue,
    queueTimeoutMs: l.queueTimeoutMs,
    inferenceTimeoutMs: l.inferenceTimeoutMs,
  };
}
