// Takes every factor with its multiplicity instead of each distinct prime once.
const PRIME_FACTORS = 'sol_prime_factors';

export async function run({ n }, ctx) {
  const factors = await ctx.invoke(PRIME_FACTORS, 'run', { n }, { allowance: { compute: 1000000 } });
  let phi = n;
  for (const p of factors) phi = (phi / p) * (p - 1);
  return phi;
}
