/**
 * An operation keeps a digest of its arguments, not the arguments (up to the content and code limits
 * each): enough to tell a repeat of a key from a different request under it. The digest is of
 * jsonb's text form, which is canonical (key order and duplicates do not matter, as jsonb equality).
 * `param` is the placeholder of the arguments as JSON text.
 */
export function argsDigestSql(param: string): string {
  return `jsonb_build_object('sha256', encode(sha256(convert_to((${param}::jsonb)::text, 'UTF8')), 'hex'))`;
}
