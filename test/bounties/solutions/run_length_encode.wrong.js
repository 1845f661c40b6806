// Caps runs at 9 (a run of 12 comes out as 9a3a).
export function run({ text }) {
  let out = '';
  for (let i = 0; i < text.length; ) {
    let j = i;
    while (j < text.length && text[j] === text[i] && j - i < 9) j++;
    out += `${j - i}${text[i]}`;
    i = j;
  }
  return out;
}
