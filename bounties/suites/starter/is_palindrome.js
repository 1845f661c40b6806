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

// Cases drawn at each check, answered by the checker's own solution.
function randomInput() {
  const half = randomString('aAbB1 ,', randomInt(0, 8));
  return { text: half + (Math.random() < 0.5 ? [...half].reverse().join('') : randomString('ab', 2)) };
}
function solve({ text }) {
  const s = text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return s === [...s].reverse().join('');
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
