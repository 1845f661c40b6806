const VALUES = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

export function run({ roman }) {
  let total = 0;
  for (let i = 0; i < roman.length; i++) {
    const v = VALUES[roman[i]];
    total += i + 1 < roman.length && VALUES[roman[i + 1]] > v ? -v : v;
  }
  return total;
}
