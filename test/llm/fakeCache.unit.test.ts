/**
 * The fake provider's prefix cache (test/support/fakeLlm.ts), which the billing tests and the llm
 * benchmark rely on: its fast prefix comparison must agree with a plain character loop.
 */
import { CACHE_BLOCK, CACHE_MIN_TOKENS, cachedTokensOf, commonPrefixLength } from '../support/fakeLlm';

function naivePrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

test('commonPrefixLength agrees with a character loop at and around every chunk boundary', () => {
  const base = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('');
  for (const at of [0, 1, 511, 512, 513, 1023, 1024, 1025, 2047, 2999]) {
    const changed = `${base.slice(0, at)}#${base.slice(at + 1)}`;
    expect([at, commonPrefixLength(base, changed)]).toEqual([at, naivePrefix(base, changed)]);
    expect(commonPrefixLength(base, changed)).toBe(at);
    // One string a prefix of the other, and empty strings.
    expect(commonPrefixLength(base, base.slice(0, at))).toBe(at);
    expect(commonPrefixLength(base.slice(0, at), base)).toBe(at);
  }
  expect(commonPrefixLength('', '')).toBe(0);
  expect(commonPrefixLength(base, base)).toBe(base.length);
});

test('cachedTokensOf: whole blocks of the longest prefix shared with any earlier prompt, from the minimum up', () => {
  const chars = (tokens: number) => 'x'.repeat(tokens * 4);
  const prompt = `${chars(CACHE_MIN_TOKENS + CACHE_BLOCK + 5)}tail`;
  expect(cachedTokensOf(prompt, [])).toBe(0);
  // Shorter than the minimum: nothing cached.
  expect(cachedTokensOf(prompt, [`${chars(CACHE_MIN_TOKENS - 1)}y`])).toBe(0);
  // The longest of several earlier prompts counts, rounded down to whole blocks.
  expect(cachedTokensOf(prompt, [`${chars(CACHE_MIN_TOKENS)}y`, `${chars(CACHE_MIN_TOKENS + CACHE_BLOCK + 3)}y`])).toBe(CACHE_MIN_TOKENS + CACHE_BLOCK);
});
