const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));

export function run({ numbers }) {
  let g = numbers[0];
  let l = numbers[0];
  for (const x of numbers.slice(1)) {
    g = gcd(g, x);
    l = (l / gcd(l, x)) * x;
  }
  return { gcd: g, lcm: l };
}
