// Composes bounty tokenize's solution.
const TOKENIZE = 'sol_tokenize';

export async function run({ text }, ctx) {
  const tokens = await ctx.invoke(TOKENIZE, 'run', { text }, { allowance: { compute: 1000000 } });
  const counts = new Map();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  return Object.fromEntries(counts);
}
