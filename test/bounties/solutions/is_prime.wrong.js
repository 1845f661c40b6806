// Stops one short of the square root: squares of primes (4, 25) pass as primes.
export function run({ n }) {
  if (n < 2) return false;
  for (let p = 2; p * p < n; p++) if (n % p === 0) return false;
  return true;
}
