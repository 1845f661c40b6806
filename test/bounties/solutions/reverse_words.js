export function run({ text }) {
  return text.split(/\s+/).filter((w) => w !== '').reverse().join(' ');
}
