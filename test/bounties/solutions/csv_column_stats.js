// Composes bounty parse_csv's solution.
const PARSE_CSV = 'sol_parse_csv';

export async function run({ text, column }, ctx) {
  const [header = [], ...rows] = await ctx.invoke(PARSE_CSV, 'run', { text }, { allowance: { compute: 1000000 } });
  const at = header.indexOf(column);
  if (at < 0) return null;
  const values = rows
    .map((r) => r[at])
    .filter((f) => typeof f === 'string' && f.trim() !== '' && Number.isFinite(Number(f)))
    .map(Number);
  if (values.length === 0) return { count: 0, min: null, max: null, sum: 0, mean: null };
  const sum = values.reduce((a, b) => a + b, 0);
  return { count: values.length, min: Math.min(...values), max: Math.max(...values), sum, mean: sum / values.length };
}
