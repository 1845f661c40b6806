// Adds every letter: IV -> 6.
const VALUES = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

export function run({ roman }) {
  return [...roman].reduce((sum, c) => sum + VALUES[c], 0);
}
