/* global runCases */
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

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
