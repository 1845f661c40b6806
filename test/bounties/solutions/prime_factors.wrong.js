// Forgets the last factor above the square root (97 -> []).
export function run({ n }) {
  const factors = [];
  for (let p = 2; p * p <= n; p++) {
    while (n % p === 0) {
      factors.push(p);
      n /= p;
    }
  }
  return factors;
}
