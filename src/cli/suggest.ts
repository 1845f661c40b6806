/** "Did you mean ...?" for a mistyped command, option or event type. */

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest of `known` to `word` when it is close enough to be a typo, else undefined. */
export function closest(word: string, known: readonly string[]): string | undefined {
  // Two edits catch a swapped pair of letters ("agnets"); longer words may have more.
  const limit = word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3));
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = name.startsWith(word) && word.length >= 3 ? 0 : distance(word.toLowerCase(), name.toLowerCase());
    if (d <= limit && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/** `; did you mean "x"?` or nothing. */
export function didYouMean(word: string, known: readonly string[], quote = (s: string) => `"${s}"`): string {
  const c = closest(word, known);
  return c ? `; did you mean ${quote(c)}?` : '';
}
