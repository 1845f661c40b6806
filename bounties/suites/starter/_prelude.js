/* eslint-disable @typescript-eslint/no-unused-vars -- the checkers this prelude is put before use these */
// Shared by every checker of the suite: `ecology bounties load` puts this file before each checker
// (a checker runs as one ES module: imports do not resolve in the sandbox).
//
// The submission is hostile until proven otherwise: every call is wrapped, its result is compared
// without calling anything on it, and the checker returns only {pass, score}, never the expected
// answers (nor logs them: the submitter may see the checker's logs).

/**
 * What the submission (and the tools it composes) may spend in the submitter's name: as much as the
 * invocation of this checker was granted (an allowance is capped by every grant above it).
 */
const SUBMISSION_GRANT = { allowance: { scrip: Number.MAX_SAFE_INTEGER, compute: Number.MAX_SAFE_INTEGER } };

/** Deep equality of plain JSON values; `tolerance` (relative) for numbers, exact by default. */
function sameJson(got, want, tolerance = 0) {
  if (typeof want === 'number') {
    if (typeof got !== 'number' || !Number.isFinite(got)) return false;
    return got === want || Math.abs(got - want) <= tolerance * Math.max(1, Math.abs(want));
  }
  if (want === null || typeof want !== 'object') return got === want;
  if (got === null || typeof got !== 'object' || Array.isArray(got) !== Array.isArray(want)) return false;
  if (Array.isArray(want)) {
    if (got.length !== want.length) return false;
    for (let i = 0; i < want.length; i++) if (!sameJson(got[i], want[i], tolerance)) return false;
    return true;
  }
  const keys = Object.keys(want);
  if (Object.keys(got).length !== keys.length) return false;
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(got, k) || !sameJson(got[k], want[k], tolerance)) return false;
  }
  return true;
}

/** Numbers within one part in a billion (means, quotients). */
function closeJson(got, want) {
  return sameJson(got, want, 1e-9);
}

/**
 * Runs every case [args, expected] through the submission's `run`, one after the other (a warm
 * container answers in milliseconds; in parallel each would need its own). score = percentage of
 * cases passed, pass = all of them.
 */
async function runCases(args, ctx, cases, same = sameJson) {
  const submission = args !== null && typeof args === 'object' ? args.submission : undefined;
  if (typeof submission !== 'string' || cases.length === 0) return { pass: false, score: 0 };
  let passed = 0;
  for (const [input, want] of cases) {
    try {
      const got = await ctx.invoke(submission, 'run', input, SUBMISSION_GRANT);
      if (same(got, want)) passed++;
    } catch {
      // The submission threw, timed out or was refused: the case fails.
    }
  }
  return { pass: passed === cases.length, score: Math.floor((100 * passed) / cases.length) };
}

// --- Random cases -------------------------------------------------------------------------------
// Fixed cases alone can be learnt: a probe submission may pass its inputs to a tool with standing,
// which can record them, and a table of answers would then pass. Every checker adds cases drawn at
// check time, answered by its own solution.

/** A random integer in [lo, hi]. */
function randomInt(lo, hi) {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

/** `length` characters drawn from `alphabet`. */
function randomString(alphabet, length) {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(0, alphabet.length - 1)];
  return s;
}

function pick(items) {
  return items[randomInt(0, items.length - 1)];
}

/** `count` cases [input, expected] with inputs from `makeInput` and answers from `solve`. */
function randomCases(count, makeInput, solve) {
  return Array.from({ length: count }, () => {
    const input = makeInput();
    return [input, solve(input)];
  });
}

// --- Solutions several checkers share -------------------------------------------------------------

/** Bounty tokenize's rule: lowercased runs of ASCII letters and digits. */
function tokensOf(text) {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/** Token -> count, in a Map: no inherited names such as 'constructor'. */
function countTokens(text) {
  const counts = new Map();
  for (const t of tokensOf(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/** A text of words, some of them names of Object.prototype's members, with assorted separators. */
function randomWords() {
  const words = ['the', 'The', 'cat', 'a', 'b2', 'ab', 'constructor', 'toString', 'valueOf', 'zz'];
  return Array.from({ length: randomInt(0, 12) }, () => pick(words) + pick([' ', ', ', '. ', '-', '\n'])).join('');
}

const ROMAN = [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];

function toRoman(n) {
  let out = '';
  for (const [value, letters] of ROMAN) {
    for (; n >= value; n -= value) out += letters;
  }
  return out;
}

/** Prime factors of a positive integer, ascending, with multiplicity. */
function factorsOf(n) {
  const out = [];
  for (let p = 2; p * p <= n; p++) {
    for (; n % p === 0; n /= p) out.push(p);
  }
  if (n > 1) out.push(n);
  return out;
}

// Arithmetic expressions (bounties infix_to_rpn, evaluate_rpn, evaluate_expression) as trees:
// {num: '12'} or {op, left, right}. ^ takes a small whole exponent, / a divisor from 1 to 9, so
// every value is finite.
const PRECEDENCE = { '+': 1, '-': 1, '*': 2, '/': 2, '^': 3 };

function randomTree(depth) {
  if (depth === 0 || Math.random() < 0.3) return { num: pick([String(randomInt(0, 20)), `${randomInt(0, 9)}.${randomInt(1, 9)}`]) };
  const op = pick(['+', '-', '*', '/', '^']);
  if (op === '^') return { op, left: randomTree(depth - 1), right: { num: String(randomInt(0, 3)) } };
  if (op === '/') return { op, left: randomTree(depth - 1), right: { num: String(randomInt(1, 9)) } };
  return { op, left: randomTree(depth - 1), right: randomTree(depth - 1) };
}

/** The tree as text, with the parentheses its shape needs (and now and then one more). */
function treeInfix(t) {
  if (t.num !== undefined) return t.num;
  const side = (child, isLeft) => {
    const text = treeInfix(child);
    if (child.num !== undefined) return text;
    const p = PRECEDENCE[child.op];
    const q = PRECEDENCE[t.op];
    const needed = p < q || (p === q && (t.op === '^' ? isLeft : !isLeft));
    return needed || Math.random() < 0.15 ? `(${text})` : text;
  };
  return `${side(t.left, true)} ${t.op} ${side(t.right, false)}`;
}

function treeRpn(t) {
  return t.num !== undefined ? [t.num] : [...treeRpn(t.left), ...treeRpn(t.right), t.op];
}

function treeValue(t) {
  if (t.num !== undefined) return Number(t.num);
  const a = treeValue(t.left);
  const b = treeValue(t.right);
  return t.op === '+' ? a + b : t.op === '-' ? a - b : t.op === '*' ? a * b : t.op === '/' ? a / b : a ** b;
}
