// Hamming distance plus the difference in length: no insertions in the middle.
export function run({ a, b }) {
  let d = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) d++;
  return d;
}
