/* global runCases */
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

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
