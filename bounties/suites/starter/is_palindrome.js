/* global runCases */
// Checker of bounty is_palindrome: the ASCII letters and digits, case ignored, read the same backwards.
const CASES = [
  [{ text: 'racecar' }, true],
  [{ text: 'A man, a plan, a canal: Panama' }, true],
  [{ text: 'hello' }, false],
  [{ text: '' }, true],
  [{ text: "No 'x' in Nixon" }, true],
  [{ text: '12321' }, true],
  [{ text: '123421' }, false],
  [{ text: 'ab' }, false],
  [{ text: 'Aa' }, true],
];

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
