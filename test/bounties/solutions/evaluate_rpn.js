const APPLY = { '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '^': (a, b) => a ** b };

export function run({ tokens }) {
  const stack = [];
  for (const t of tokens) {
    if (t in APPLY) {
      const b = stack.pop();
      const a = stack.pop();
      stack.push(APPLY[t](a, b));
    } else stack.push(Number(t));
  }
  return stack.pop();
}
