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
