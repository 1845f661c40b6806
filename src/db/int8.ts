import { types } from 'pg';

/**
 * bigint (int8) columns arrive as strings by default. All our amounts fit in a JS safe integer
 * (inputs are validated to that range), so parse them as numbers; refuse anything beyond.
 * Installed by importing this module: every module that reads amounts imports it for its side
 * effect, so the parsing never depends on who made the pool (a plain `new Pool` in tests, say).
 */
types.setTypeParser(20, (text: string) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${text} exceeds the safe integer range`);
  return n;
});
