export function run({ text }) {
  const s = text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return s === [...s].reverse().join('');
}
