// Breaks ties by first appearance instead of alphabetically.
const WORD_FREQUENCIES = 'sol_word_frequencies';

export async function run({ text, k }, ctx) {
  const counts = await ctx.invoke(WORD_FREQUENCIES, 'run', { text }, { allowance: { compute: 1000000 } });
  return Object.entries(counts)
    .sort(([, x], [, y]) => y - x)
    .slice(0, k)
    .map(([w]) => w);
}
