/* global runCases */
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

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
