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

// Cases drawn at each check, answered by the checker's own solution.
const PAIRS = ['()', '[]', '{}'];
const nested = (n) => (n === 0 ? '' : pick(PAIRS).split('').join(nested(n - 1)) + (Math.random() < 0.5 ? nested(randomInt(0, n - 1)) : ''));
const randomInput = () => ({ text: Math.random() < 0.5 ? nested(randomInt(1, 4)) : randomString('()[]{}x', randomInt(1, 10)) });
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
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
