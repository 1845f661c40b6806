const CLOSES = { ')': '(', ']': '[', '}': '{' };

export function run({ text }) {
  const open = [];
  for (const c of text) {
    if (c === '(' || c === '[' || c === '{') open.push(c);
    else if (c in CLOSES && open.pop() !== CLOSES[c]) return false;
  }
  return open.length === 0;
}
