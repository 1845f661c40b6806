/* global runCases, randomInt, randomString, randomCases -- from _prelude.js */
// Checker of bounty run_length_encode: each run of one character as its length, then the character.
const CASES = [
  [{ text: 'aaabcc' }, '3a1b2c'],
  [{ text: '' }, ''],
  [{ text: 'a' }, '1a'],
  [{ text: 'aaaaaaaaaaaa' }, '12a'],
  [{ text: 'abab' }, '1a1b1a1b'],
  [{ text: '  x' }, '2 1x'],
  [{ text: 'AAaa' }, '2A2a'],
];

// Cases drawn at each check, answered by the checker's own solution.
const randomInput = () => ({ text: randomString('aab', randomInt(0, 10)) + 'c'.repeat(randomInt(0, 25)) + randomString('ab', randomInt(0, 3)) });
const solve = ({ text }) => (text.match(/(.)\1*/gs) ?? []).map((run) => `${run.length}${run[0]}`).join('');

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
