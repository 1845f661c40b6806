/* global runCases, closeJson, randomTree, treeRpn, treeValue -- from _prelude.js */
// Checker of bounty evaluate_rpn: the value of tokens in reverse Polish notation (+ - * / ^).
const CASES = [
  [{ tokens: ['1', '2', '+'] }, 3],
  [{ tokens: ['2', '3', '4', '*', '+'] }, 14],
  [{ tokens: ['10', '4', '-'] }, 6],
  [{ tokens: ['8', '2', '/'] }, 4],
  [{ tokens: ['2', '3', '^'] }, 8],
  [{ tokens: ['5'] }, 5],
  [{ tokens: ['1.5', '2', '*'] }, 3],
  [{ tokens: ['2', '3', '2', '^', '^'] }, 512],
  [{ tokens: ['7', '2', '/'] }, 3.5],
];

// Cases drawn at each check, answered by the checker's own solution.
function randomCase() {
  const t = randomTree(4);
  return [{ tokens: treeRpn(t) }, treeValue(t)];
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...Array.from({ length: 3 }, randomCase)], closeJson);
}
