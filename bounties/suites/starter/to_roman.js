/* global runCases, randomInt, randomCases, toRoman -- from _prelude.js */
// Checker of bounty to_roman: 1..3999 as a Roman numeral with subtractive forms (IV, IX, XL, XC, CD, CM).
const CASES = [
  [{ n: 1 }, 'I'],
  [{ n: 4 }, 'IV'],
  [{ n: 9 }, 'IX'],
  [{ n: 14 }, 'XIV'],
  [{ n: 40 }, 'XL'],
  [{ n: 90 }, 'XC'],
  [{ n: 400 }, 'CD'],
  [{ n: 1994 }, 'MCMXCIV'],
  [{ n: 3888 }, 'MMMDCCCLXXXVIII'],
  [{ n: 3999 }, 'MMMCMXCIX'],
];

// Cases drawn at each check, answered by the checker's own solution.
const randomInput = () => ({ n: randomInt(1, 3999) });
const solve = ({ n }) => toRoman(n);

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
