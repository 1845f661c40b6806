/* global runCases */
// Checker of bounty top_k_words: the k most frequent tokens, most frequent first, ties alphabetical.
const CASES = [
  [{ text: 'b a b c a b', k: 2 }, ['b', 'a']],
  [{ text: '', k: 3 }, []],
  [{ text: 'x y z', k: 2 }, ['x', 'y']],
  [{ text: 'z y x', k: 5 }, ['x', 'y', 'z']],
  [{ text: 'The the THE cat cat dog', k: 1 }, ['the']],
  [{ text: 'constructor constructor a', k: 1 }, ['constructor']],
  [{ text: 'a b', k: 0 }, []],
  // Ties of words of different lengths: alphabetical is not shortest first.
  [{ text: 'b ab b ab c', k: 3 }, ['ab', 'b', 'c']],
];

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
