// Splits on single spaces only: runs of whitespace, tabs and line breaks come out wrong.
export function run({ text }) {
  return text.split(' ').reverse().join(' ');
}
