/**
 * A response-format JSON schema as node-llama-cpp's grammar compiler reads it: `anyOf` (what the
 * OpenAI API takes) becomes `oneOf` (what the compiler takes), replacing the node it sits in,
 * everywhere in the schema. Everything else is passed as it is.
 */
export function grammarSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(grammarSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const node = schema as Record<string, unknown>;
  if (Array.isArray(node.anyOf)) return { oneOf: node.anyOf.map(grammarSchema) };
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'enum' || k === 'const' ? v : grammarSchema(v)]));
}
