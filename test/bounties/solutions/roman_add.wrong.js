// Concatenates the letters, largest first: right only when no subtractive form is involved.
const VALUES = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

export function run({ a, b }) {
  return [...(a + b)].sort((x, y) => VALUES[y] - VALUES[x]).join('');
}
