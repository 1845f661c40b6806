// Counts in a plain {}: 'constructor' starts from Object.prototype.constructor.
const TOKENIZE = 'sol_tokenize';

export async function run({ text }, ctx) {
  const tokens = await ctx.invoke(TOKENIZE, 'run', { text }, { allowance: { compute: 1000000 } });
  const counts = {};
  for (const t of tokens) counts[t] = (counts[t] || 0) + 1;
  return counts;
}
