/* global runCases, randomInt, randomString, pick, randomCases -- from _prelude.js */
// Checker of bounty balanced_brackets: (), [] and {} nest properly; other characters do not count.
const CASES = [
  [{ text: '' }, true],
  [{ text: '()' }, true],
  [{ text: '([]{})' }, true],
  [{ text: 'a(b[c]d)e' }, true],
  [{ text: '{[()()]}' }, true],
  [{ text: '(]' }, false],
  [{ text: '((' }, false],
  [{ text: '))((' }, false],
  [{ text: '([)]' }, false],
  [{ text: '}' }, false],
];

// Cases drawn at each check, answered by the checker's own solution: balanced, one opening bracket
// too many, and anything (a table of the fixed cases that answers one way fails either way).
const PAIRS = ['()', '[]', '{}'];
const nested = (n) => (n === 0 ? '' : pick(PAIRS).split('').join(nested(n - 1)) + (Math.random() < 0.5 ? nested(randomInt(0, n - 1)) : ''));
const balanced = () => ({ text: nested(randomInt(1, 4)) });
function unbalanced() {
  const text = nested(randomInt(1, 4));
  const at = randomInt(0, text.length);
  return { text: text.slice(0, at) + pick(['(', '[', '{']) + text.slice(at) };
}
const randomInput = () => ({ text: randomString('()[]{}x', randomInt(1, 10)) });
function solve({ text }) {
  const open = [];
  for (const c of text) {
    const closing = PAIRS.find((p) => p[1] === c);
    if ('([{'.includes(c)) open.push(c);
    else if (closing && open.pop() !== closing[0]) return false;
  }
  return open.length === 0;
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(1, balanced, solve), ...randomCases(1, unbalanced, solve), ...randomCases(1, randomInput, solve)]);
}
