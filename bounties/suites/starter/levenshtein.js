/* global runCases */
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

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
