/* global runCases, randomTree, treeInfix, treeRpn -- from _prelude.js */
// Checker of bounty infix_to_rpn: the tokens of an arithmetic expression in reverse Polish notation
// (precedence ^ over * / over + -; ^ right-associative, the others left-associative).
const CASES = [
  [{ expr: '1 + 2' }, ['1', '2', '+']],
  [{ expr: '1 + 2 * 3' }, ['1', '2', '3', '*', '+']],
  [{ expr: '(1 + 2) * 3' }, ['1', '2', '+', '3', '*']],
  [{ expr: '10 - 4 - 3' }, ['10', '4', '-', '3', '-']],
  [{ expr: '2 ^ 3 ^ 2' }, ['2', '3', '2', '^', '^']],
  [{ expr: '3.5*(2-0.5)/7' }, ['3.5', '2', '0.5', '-', '*', '7', '/']],
  [{ expr: '42' }, ['42']],
  [{ expr: '((7))' }, ['7']],
  [{ expr: '8 / 2 / 2' }, ['8', '2', '/', '2', '/']],
];

// Cases drawn at each check, answered by the checker's own solution.
function randomCase() {
  const t = randomTree(4);
  return [{ expr: treeInfix(t) }, treeRpn(t)];
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...Array.from({ length: 3 }, randomCase)]);
}
