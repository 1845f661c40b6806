import { z } from 'zod';

/** Non-negative integer that fits a PostgreSQL bigint and a JS number exactly. */
export const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const quotaSetSchema = z.strictObject({
  compute_rate: count,
  compute_capacity: count,
  llm_token_rate: count,
  llm_token_capacity: count,
  disk_bytes: count,
  llm_dollars: count,
});
export type QuotaSet = z.infer<typeof quotaSetSchema>;

/**
 * The whole configuration. Defaults live in `config/default.json` (no numbers in code); a user file
 * and environment variables override them (see load.ts). Later sections are optional here so that a
 * partial user file merges over the defaults.
 */
export const configSchema = z.strictObject({
  database: z.strictObject({
    url: z.string().min(1),
    poolMax: count.min(1),
  }),
  temporal: z.strictObject({
    address: z.string().min(1),
    namespace: z.string().min(1),
    taskQueue: z.string().min(1),
    sandboxTaskQueue: z.string().min(1),
  }),
  limits: z.strictObject({
    maxContentBytes: count,
    maxCodeBytes: count,
    maxJsonDepth: count.min(1),
    maxStringLength: count.min(1),
    maxListLimit: count.min(1),
    defaultListLimit: count.min(1),
  }),
  quotas: z.strictObject({
    operatorPrincipal: quotaSetSchema,
    createdPrincipal: quotaSetSchema,
  }),
  genesis: z.strictObject({
    defaultComputeCost: count,
    computeCost: z.record(z.string(), count),
    scripFee: z.record(z.string(), count),
  }),
  transactions: z.strictObject({
    maxRetries: count,
  }),
});

export type EcologyConfig = z.infer<typeof configSchema>;
