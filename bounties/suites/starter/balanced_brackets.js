/* global runCases */
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

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
