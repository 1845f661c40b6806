/* global runCases, randomInt, randomCases, countTokens, randomWords -- from _prelude.js */
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

// Cases drawn at each check, answered by the checker's own solution.
const randomInput = () => ({ text: randomWords(), k: randomInt(0, 5) });
const solve = ({ text, k }) =>
  [...countTokens(text)]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, k)
    .map(([w]) => w);

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
