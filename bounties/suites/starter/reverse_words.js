/* global runCases */
// Checker of bounty reverse_words: words (runs of non-whitespace) in reverse order, one space apart.
const CASES = [
  [{ text: 'hello world' }, 'world hello'],
  [{ text: '  a  b   c ' }, 'c b a'],
  [{ text: '' }, ''],
  [{ text: '   ' }, ''],
  [{ text: 'single' }, 'single'],
  [{ text: 'tab\tand\nnewline' }, 'newline and tab'],
  [{ text: 'héllo wörld!' }, 'wörld! héllo'],
];

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
