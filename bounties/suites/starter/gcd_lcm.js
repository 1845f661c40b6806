/* global runCases, randomInt, randomCases -- from _prelude.js */
// Checker of bounty gcd_lcm: the greatest common divisor and least common multiple of positive integers.
const CASES = [
  [{ numbers: [12, 18] }, { gcd: 6, lcm: 36 }],
  [{ numbers: [7] }, { gcd: 7, lcm: 7 }],
  [{ numbers: [4, 6, 8] }, { gcd: 2, lcm: 24 }],
  [{ numbers: [5, 7] }, { gcd: 1, lcm: 35 }],
  [{ numbers: [100, 10, 1000] }, { gcd: 10, lcm: 1000 }],
  [{ numbers: [1, 1] }, { gcd: 1, lcm: 1 }],
  [{ numbers: [1048576, 59049] }, { gcd: 1, lcm: 61917364224 }],
];

// Cases drawn at each check, answered by the checker's own solution.
function randomInput() {
  const g = randomInt(1, 50);
  return { numbers: Array.from({ length: randomInt(1, 4) }, () => g * randomInt(1, 30)) };
}
const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));
const solve = ({ numbers }) => ({ gcd: numbers.reduce(gcd), lcm: numbers.reduce((a, b) => (a / gcd(a, b)) * b) });

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
