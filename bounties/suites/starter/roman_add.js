/* global runCases */
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

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
