import { z } from 'zod';
import { writeArtifactArgs } from '../artifacts/store';
import { hasSealedArgs, isGenesisService } from '../genesis/registry';
import { grantSpec, type GrantSpec } from '../invoke/grant';
import { artifactId, jsonDepth } from '../validation';

/**
 * SPEC section 6: an agent's every turn is exactly one JSON action. Unknown keys are rejected, so an
 * action cannot smuggle in fields (a `from` on a transfer lives inside `args`, where the genesis
 * service's own access checks decide). `reasoning` is optional and only recorded.
 */
const reasoning = z.string().optional();
const seconds = z.number({ error: 'must be a number of seconds' }).positive({ error: 'must be positive' }).finite();

export const PREDICATE_RESOURCES = ['scrip', 'compute', 'llm_tokens'] as const;
export const PREDICATE_OPS = ['>=', '>', '<=', '<', '=='] as const;

const noop = z.strictObject({ action: z.literal('noop'), reasoning });
const readArtifact = z.strictObject({ action: z.literal('read_artifact'), id: artifactId, reasoning });
const writeArtifact = writeArtifactArgs.extend({ action: z.literal('write_artifact'), reasoning });
const deleteArtifact = z.strictObject({ action: z.literal('delete_artifact'), id: artifactId, reasoning });
/** max_price, code_hash, allowance and allow: the grant of src/invoke/grant.ts, for code without standing. */
const invokeArtifact = z.strictObject({
  action: z.literal('invoke_artifact'),
  id: artifactId,
  method: z.string().min(1).max(64),
  args: z.record(z.string(), z.unknown()).optional(),
  ...grantSpec.shape,
  reasoning,
});
const sleep = z
  .strictObject({
    action: z.literal('sleep'),
    seconds: seconds.optional(),
    until_event: z.string().min(1).max(64).optional(),
    until: z
      .strictObject({ resource: z.enum(PREDICATE_RESOURCES), op: z.enum(PREDICATE_OPS), value: z.number().finite() })
      .optional(),
    max_seconds: seconds.optional(),
    reasoning,
  })
  .refine((s) => [s.seconds, s.until_event, s.until].filter((x) => x !== undefined).length === 1, {
    error: 'a sleep takes exactly one of seconds, until_event or until',
  });

export const actionSchema = z.discriminatedUnion('action', [noop, readArtifact, writeArtifact, deleteArtifact, invokeArtifact, sleep]);
export type AgentAction = z.infer<typeof actionSchema>;
export const ACTION_TYPES = ['noop', 'read_artifact', 'write_artifact', 'delete_artifact', 'invoke_artifact', 'sleep'] as const;

const idProperty = { type: 'string', minLength: 1, maxLength: 128 } as const;
const maxSecondsProperty = { type: 'number' } as const;
/** One action of the response format: `action` first, its own fields, an optional reasoning last, nothing else. */
const actionOf = (action: string, properties: Record<string, unknown>, required: string[], maxReasoningChars: number) =>
  ({
    type: 'object',
    properties: { action: { type: 'string', enum: [action] }, ...properties, reasoning: { type: 'string', maxLength: maxReasoningChars } },
    required: ['action', ...required],
    additionalProperties: false,
  }) as const;

/**
 * The response format sent with every think call: one of the actions, each with only its own
 * fields and the zod schema's lengths, and a reasoning of at most the characters kept (the zod
 * schema above is what decides). A model that follows the format as a grammar (the local one) can
 * then only write an action of the right shape, and closes it in time.
 */
export function actionJsonSchema(maxReasoningChars: number) {
  const oneAction = (action: string, properties: Record<string, unknown>, required: string[]) => actionOf(action, properties, required, maxReasoningChars);
  return {
    type: 'object',
    anyOf: [
      oneAction('noop', {}, []),
      oneAction('read_artifact', { id: idProperty }, ['id']),
      oneAction(
        'write_artifact',
        {
          id: idProperty,
          type: { type: 'string', minLength: 1, maxLength: 64 },
          // A write changes only the fields it names; null clears content, code or price.
          content: {},
          code: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          price: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
          can_execute: { type: 'boolean' },
          has_standing: { type: 'boolean' },
          access_contract_id: idProperty,
          // What a new principal gets from its creator (src/artifacts/endowment.ts).
          endowment: { type: 'object', properties: { scrip: { type: 'integer', minimum: 1 }, compute: { type: 'integer', minimum: 1 }, quotas: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 } } }, additionalProperties: false },
        },
        ['id'],
      ),
      oneAction('delete_artifact', { id: idProperty }, ['id']),
      oneAction(
        'invoke_artifact',
        {
          id: idProperty,
          method: { type: 'string', minLength: 1, maxLength: 64 },
          args: { type: 'object', additionalProperties: true, maxProperties: 8 },
          // The grant (src/invoke/grant.ts): what the code may spend or do in the invoker's name.
          max_price: { type: 'integer', minimum: 0 },
          code_hash: { type: 'string', minLength: 64, maxLength: 64 },
          allowance: {
            type: 'object',
            properties: { scrip: { type: 'integer', minimum: 0 }, compute: { type: 'integer', minimum: 0 }, llm_dollars: { type: 'number', minimum: 0 } },
            additionalProperties: false,
          },
          allow: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 8 },
        },
        ['id', 'method'],
      ),
      oneAction('sleep', { seconds: { type: 'number' } }, ['seconds']),
      oneAction('sleep', { until_event: { type: 'string', minLength: 1, maxLength: 64 }, max_seconds: maxSecondsProperty }, ['until_event']),
      oneAction(
        'sleep',
        {
          until: {
            type: 'object',
            properties: { resource: { type: 'string', enum: [...PREDICATE_RESOURCES] }, op: { type: 'string', enum: [...PREDICATE_OPS] }, value: { type: 'number' } },
            required: ['resource', 'op', 'value'],
            additionalProperties: false,
          },
          max_seconds: maxSecondsProperty,
        },
        ['until'],
      ),
    ],
  } as const;
}

export type ParsedAction = { ok: true; action: AgentAction } | { ok: false; reason: string };

/** Strips one surrounding ``` fence, which some models add despite the response format. */
function unfence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1] : text;
}

/**
 * Levels an action adds around the JSON values it carries (the action object, its args, a value in
 * args): output may nest limits.maxJsonDepth plus these, the most a valid action can.
 */
export const ACTION_WRAPPING_DEPTH = 3;

/** Turns the model's message content into one valid action, or the reason it is not one. */
export function parseAction(content: string, maxBytes: number, maxDepth: number): ParsedAction {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > maxBytes) return { ok: false, reason: `output is ${bytes} bytes, above the limit of ${maxBytes}` };
  let value: unknown;
  try {
    value = JSON.parse(unfence(content));
  } catch (e) {
    return { ok: false, reason: `output is not valid JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'output must be one JSON object' };
  // Storing or describing a value nested thousands of levels deep overflows the stack.
  if (jsonDepth(value, maxDepth + 1) > maxDepth) return { ok: false, reason: `output is nested more than ${maxDepth} levels deep` };
  const r = actionSchema.safeParse(value);
  if (r.success) return { ok: true, action: r.data };
  const problems = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'action'}: ${i.message}`).join('; ');
  return { ok: false, reason: `not a valid action: ${problems}` };
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** The grant an invoke_artifact action states (absent when it states none: the code may only read). */
export function grantOf(a: Extract<AgentAction, { action: 'invoke_artifact' }>): GrantSpec | undefined {
  const g: GrantSpec = { max_price: a.max_price, code_hash: a.code_hash, allowance: a.allowance, allow: a.allow };
  const stated = Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined)) as GrantSpec;
  return Object.keys(stated).length ? stated : undefined;
}

/** One short line naming what an action does (state query, memory, prompts). */
/**
 * Whether acting on `a` is one short database transaction: everything but invoking an artifact that
 * is not a genesis service, which may run agent-written code (the sandbox saga) for as long as its
 * timeout. The workflow runs a short act as a local activity, with no task-queue round trip.
 */
export function actsQuickly(a: AgentAction): boolean {
  return a.action !== 'invoke_artifact' || isGenesisService(a.id);
}

export function describeAction(a: AgentAction, max = 200): string {
  switch (a.action) {
    case 'noop':
      return 'noop';
    case 'read_artifact':
    case 'delete_artifact':
      return `${a.action} ${a.id}`;
    case 'write_artifact':
      return a.type ? `write_artifact ${a.id} (${a.type})` : `write_artifact ${a.id}`;
    case 'invoke_artifact':
      // The summary is public (the dashboard shows it): a sealed bid's arguments stay out of it.
      if (hasSealedArgs(a.id, a.method)) return `invoke_artifact ${a.id}.${a.method} (arguments sealed)`;
      return clip(`invoke_artifact ${a.id}.${a.method} ${JSON.stringify(a.args ?? {})}`, max);
    case 'sleep':
      if (a.seconds !== undefined) return `sleep ${a.seconds}s`;
      if (a.until_event !== undefined) return `sleep until event ${a.until_event}${a.max_seconds ? ` (max ${a.max_seconds}s)` : ''}`;
      return `sleep until ${a.until!.resource} ${a.until!.op} ${a.until!.value}${a.max_seconds ? ` (max ${a.max_seconds}s)` : ''}`;
  }
}
