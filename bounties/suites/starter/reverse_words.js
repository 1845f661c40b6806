/* global runCases, randomInt, randomString, randomCases -- from _prelude.js */
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

// Cases drawn at each check, answered by the checker's own solution.
const randomInput = () => ({ text: randomString('ab c \t\n', randomInt(0, 20)) });
const solve = ({ text }) => text.split(/\s+/).filter((w) => w !== '').reverse().join(' ');

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
