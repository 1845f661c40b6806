// Composes bounties infix_to_rpn's and evaluate_rpn's solutions.
const INFIX_TO_RPN = 'sol_infix_to_rpn';
const EVALUATE_RPN = 'sol_evaluate_rpn';
const GRANT = { allowance: { compute: 1000000 } };

export async function run({ expr }, ctx) {
  const tokens = await ctx.invoke(INFIX_TO_RPN, 'run', { expr }, GRANT);
  return ctx.invoke(EVALUATE_RPN, 'run', { tokens }, GRANT);
}
