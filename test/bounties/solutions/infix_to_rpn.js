const PRECEDENCE = { '+': 1, '-': 1, '*': 2, '/': 2, '^': 3 };

export function run({ expr }) {
  const out = [];
  const ops = [];
  for (const t of expr.match(/\d+(?:\.\d+)?|[-+*/^()]/g) ?? []) {
    if (t === '(') ops.push(t);
    else if (t === ')') {
      while (ops.length && ops[ops.length - 1] !== '(') out.push(ops.pop());
      ops.pop();
    } else if (t in PRECEDENCE) {
      const p = PRECEDENCE[t];
      for (let top = ops[ops.length - 1]; top in PRECEDENCE && (PRECEDENCE[top] > p || (PRECEDENCE[top] === p && t !== '^')); top = ops[ops.length - 1]) {
        out.push(ops.pop());
      }
      ops.push(t);
    } else out.push(t);
  }
  while (ops.length) out.push(ops.pop());
  return out;
}
