/* global runCases, randomInt, randomString, randomCases -- from _prelude.js */
// Checker of bounty levenshtein: the edit distance (insertions, deletions, substitutions cost 1).
const CASES = [
  [{ a: 'kitten', b: 'sitting' }, 3],
  [{ a: '', b: '' }, 0],
  [{ a: '', b: 'abc' }, 3],
  [{ a: 'flaw', b: 'lawn' }, 2],
  [{ a: 'same', b: 'same' }, 0],
  [{ a: 'abc', b: 'cba' }, 2],
  [{ a: 'intention', b: 'execution' }, 5],
  [{ a: 'a', b: 'b' }, 1],
];

// Cases drawn at each check, answered by the checker's own solution.
const randomInput = () => ({ a: randomString('abc', randomInt(0, 8)), b: randomString('abc', randomInt(0, 8)) });
function solve({ a, b }) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
