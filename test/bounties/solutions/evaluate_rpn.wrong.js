// Takes the operands in the wrong order: 10 4 - -> -6.
const APPLY = { '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '^': (a, b) => a ** b };

export function run({ tokens }) {
  const stack = [];
  for (const t of tokens) {
    if (t in APPLY) stack.push(APPLY[t](stack.pop(), stack.pop()));
    else stack.push(Number(t));
  }
  return stack.pop();
}
