/* global runCases, randomInt, randomString, randomCases -- from _prelude.js */
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

// Cases drawn at each check, answered by the checker's own solution: one palindrome, one not (a
// table of the fixed cases that answers one way otherwise fails either way).
function palindrome() {
  const half = randomString('aAbB1 ,', randomInt(0, 8));
  return { text: half + randomString('ab', randomInt(0, 1)) + [...half].reverse().join('') };
}
const notPalindrome = () => ({ text: `a${randomString('aAbB1 ,', randomInt(0, 8))}b` });
function solve({ text }) {
  const s = text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return s === [...s].reverse().join('');
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(2, palindrome, solve), ...randomCases(1, notPalindrome, solve)]);
}
