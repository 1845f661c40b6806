/* global runCases, closeJson, randomInt, randomString, pick -- from _prelude.js */
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

// Cases drawn at each check, answered by the checker's own solution.
function randomCase() {
  const values = Array.from({ length: randomInt(0, 6) }, () => pick([String(randomInt(-50, 50)), `${randomInt(0, 9)}.5`, 'n/a', '']));
  const text = `"na,me",v\n${values.map((v) => `"${randomString('ab,\n', 3)}",${v}`).join('\n')}`;
  const numbers = values.filter((v) => v.trim() !== '' && Number.isFinite(Number(v))).map(Number);
  const sum = numbers.reduce((a, b) => a + b, 0);
  const stats = numbers.length === 0 ? NONE : { count: numbers.length, min: Math.min(...numbers), max: Math.max(...numbers), sum, mean: sum / numbers.length };
  return [{ text, column: 'v' }, stats];
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...Array.from({ length: 3 }, randomCase)], closeJson);
}
