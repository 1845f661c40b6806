// Splits on whitespace only: punctuation stays in the tokens.
export function run({ text }) {
  return text.toLowerCase().split(/\s+/).filter((w) => w !== '');
}
