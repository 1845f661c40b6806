// Forgets to ignore case and punctuation.
export function run({ text }) {
  return text === [...text].reverse().join('');
}
