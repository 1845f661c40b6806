/* global runCases, randomCases, countTokens, randomWords -- from _prelude.js */
// Checker of bounty word_frequencies: how often each token (bounty tokenize's rules) occurs.
const CASES = [
  [{ text: 'the cat and the hat' }, { the: 2, cat: 1, and: 1, hat: 1 }],
  [{ text: '' }, {}],
  [{ text: 'A a A.' }, { a: 3 }],
  [{ text: 'x-y x_y' }, { x: 2, y: 2 }],
  // Words that are also names of Object.prototype's members: a plain {} counter gets them wrong.
  [{ text: 'constructor toString __proto__ constructor' }, { constructor: 2, tostring: 1, proto: 1 }],
  [{ text: 'One two, TWO; three three THREE' }, { one: 1, two: 2, three: 3 }],
];

// Cases drawn at each check, answered by the checker's own solution.
const randomInput = () => ({ text: randomWords() });
const solve = ({ text }) => Object.fromEntries(countTokens(text));

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
