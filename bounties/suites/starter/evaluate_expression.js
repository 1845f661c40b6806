/* global runCases, closeJson, randomTree, treeInfix, treeValue -- from _prelude.js */
// Checker of bounty evaluate_expression: the value of an arithmetic expression (bounty infix_to_rpn's grammar).
const CASES = [
  [{ expr: '1 + 2 * 3' }, 7],
  [{ expr: '(1 + 2) * 3' }, 9],
  [{ expr: '10 - 4 - 3' }, 3],
  [{ expr: '2 ^ 3 ^ 2' }, 512],
  [{ expr: '3.5*(2-0.5)/7' }, 0.75],
  [{ expr: '42' }, 42],
  [{ expr: '100 / 8' }, 12.5],
];

// Cases drawn at each check, answered by the checker's own solution.
function randomCase() {
  const t = randomTree(4);
  return [{ expr: treeInfix(t) }, treeValue(t)];
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...Array.from({ length: 3 }, randomCase)], closeJson);
}
