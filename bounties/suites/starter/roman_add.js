/* global runCases, randomInt, toRoman -- from _prelude.js */
// Checker of bounty roman_add: the sum of two Roman numerals, as a Roman numeral.
const CASES = [
  [{ a: 'I', b: 'I' }, 'II'],
  [{ a: 'XIV', b: 'IX' }, 'XXIII'],
  [{ a: 'IV', b: 'IV' }, 'VIII'],
  [{ a: 'XL', b: 'X' }, 'L'],
  [{ a: 'CD', b: 'C' }, 'D'],
  [{ a: 'MCMXCIV', b: 'VI' }, 'MM'],
  [{ a: 'MMM', b: 'CMXCIX' }, 'MMMCMXCIX'],
];

// Cases drawn at each check, answered by the checker's own solution.
function randomCase() {
  const a = randomInt(1, 3998);
  const b = randomInt(1, 3999 - a);
  return [{ a: toRoman(a), b: toRoman(b) }, toRoman(a + b)];
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...Array.from({ length: 3 }, randomCase)]);
}
