/* global runCases, randomInt, randomString, randomCases, tokensOf -- from _prelude.js */
// Checker of bounty tokenize: lowercased runs of ASCII letters and digits, in order.
const CASES = [
  [{ text: 'Hello, world!' }, ['hello', 'world']],
  [{ text: '' }, []],
  [{ text: "It's 2 o'clock" }, ['it', 's', '2', 'o', 'clock']],
  [{ text: '  ...  ' }, []],
  [{ text: 'MiXeD case CASE' }, ['mixed', 'case', 'case']],
  [{ text: 'snake_case and kebab-case' }, ['snake', 'case', 'and', 'kebab', 'case']],
  [{ text: 'naïve café' }, ['na', 've', 'caf']],
];

// Cases drawn at each check, answered by the checker's own solution.
const randomInput = () => ({ text: randomString("aB1 ,'-_é", randomInt(0, 25)) });
const solve = ({ text }) => tokensOf(text);

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...randomCases(3, randomInput, solve)]);
}
