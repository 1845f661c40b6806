/* global runCases, randomInt, randomCases, factorsOf -- from _prelude.js */
// Checker of bounty totient: Euler's phi(n), the count of 1..n coprime to n.
const CASES = [
  [{ n: 1 }, 1],
  [{ n: 2 }, 1],
  [{ n: 9 }, 6],
  [{ n: 10 }, 4],
  [{ n: 36 }, 12],
  [{ n: 97 }, 96],
  [{ n: 600851475143 }, 591194251200],
  [{ n: 999999999989 }, 999999999988],
];

// Cases drawn at each check, answered by the checker's own solution.
const randomInput = () => ({ n: randomInt(1, 1e9) });
function solve({ n }) {
  let phi = n;
  for (const p of new Set(factorsOf(n))) phi = (phi / p) * (p - 1);
  return phi;
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
