/* global runCases, randomInt, toRoman -- from _prelude.js */
// Checker of bounty from_roman: the value of a canonical Roman numeral (1..3999).
const CASES = [
  [{ roman: 'I' }, 1],
  [{ roman: 'IV' }, 4],
  [{ roman: 'IX' }, 9],
  [{ roman: 'XIV' }, 14],
  [{ roman: 'XC' }, 90],
  [{ roman: 'CDXLIV' }, 444],
  [{ roman: 'MDCLXVI' }, 1666],
  [{ roman: 'MCMXCIV' }, 1994],
  [{ roman: 'MMMCMXCIX' }, 3999],
];

// Cases drawn at each check, answered by the checker's own solution.
function randomCase() {
  const n = randomInt(1, 3999);
  return [{ roman: toRoman(n) }, n];
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...Array.from({ length: 3 }, randomCase)]);
}
