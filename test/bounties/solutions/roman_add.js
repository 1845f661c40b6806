// Composes bounties from_roman's and to_roman's solutions (one call after the other: a warm container answers at once).
const FROM_ROMAN = 'sol_from_roman';
const TO_ROMAN = 'sol_to_roman';
const GRANT = { allowance: { compute: 1000000 } };

export async function run({ a, b }, ctx) {
  const x = await ctx.invoke(FROM_ROMAN, 'run', { roman: a }, GRANT);
  const y = await ctx.invoke(FROM_ROMAN, 'run', { roman: b }, GRANT);
  return ctx.invoke(TO_ROMAN, 'run', { n: x + y }, GRANT);
}
