// Splits on line breaks and commas: no quoting.
export function run({ text }) {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => line.split(','));
}
