/* global runCases, closeJson */
// Checker of bounty csv_column_stats: count, min, max, sum and mean of the numbers in a named column.
const NONE = { count: 0, min: null, max: null, sum: 0, mean: null };
const CASES = [
  [{ text: 'name,age\nann,30\nbob,40', column: 'age' }, { count: 2, min: 30, max: 40, sum: 70, mean: 35 }],
  [{ text: 'item,"price, usd"\n"a,b",1.5\nc,2.5\nd,n/a', column: 'price, usd' }, { count: 2, min: 1.5, max: 2.5, sum: 4, mean: 2 }],
  [{ text: 'a,b\n1,2', column: 'c' }, null],
  [{ text: 'x\n', column: 'x' }, NONE],
  [{ text: 'q,v\n"multi\nline",10\nz,-5\n', column: 'v' }, { count: 2, min: -5, max: 10, sum: 5, mean: 2.5 }],
  [{ text: 'v\n 7 \n\n3', column: 'v' }, { count: 2, min: 3, max: 7, sum: 10, mean: 5 }],
  [{ text: 'k,v\na,0.1\nb,0.2', column: 'v' }, { count: 2, min: 0.1, max: 0.2, sum: 0.3, mean: 0.15 }],
];

export async function run(args, ctx) {
  return runCases(args, ctx, CASES, closeJson);
}
