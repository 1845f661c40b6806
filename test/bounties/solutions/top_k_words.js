// Composes bounty word_frequencies' solution (which itself composes tokenize's).
const WORD_FREQUENCIES = 'sol_word_frequencies';

export async function run({ text, k }, ctx) {
  const counts = await ctx.invoke(WORD_FREQUENCIES, 'run', { text }, { allowance: { compute: 1000000 } });
  return Object.entries(counts)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, k)
    .map(([w]) => w);
}
