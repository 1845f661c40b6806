/**
 * The one error-code union at runtime: codes that arrive over a wire (a Temporal failure's type, a
 * container's JSON) pass only when they are ours; anything else becomes the given fallback.
 */
import { EcologyError, ERROR_CODES, errorCodeOf, isErrorCode, SANDBOX_ERROR_CODES } from '../../src/errors';

test('every code of ours passes as itself', () => {
  for (const code of ERROR_CODES) expect(errorCodeOf(code, 'CRASHED')).toBe(code);
  for (const code of SANDBOX_ERROR_CODES) expect(isErrorCode(code)).toBe(true);
  expect(isErrorCode(new EcologyError('IN_DEBT', 'x').toJSON().code)).toBe(true);
});

test.each<[string, unknown]>([
  ["an error's name (Temporal's type for a plain Error)", 'Error'],
  ['a Node error code', 'ECONNRESET'],
  ['a PostgreSQL SQLSTATE', '23505'],
  ['a near miss in case', 'crashed'],
  ['a code with padding', ' CRASHED'],
  ['a prototype key', 'constructor'],
  ['a number', 42],
  ['nothing', undefined],
  ['null', null],
  ['an object', { code: 'CRASHED' }],
])('%s is not a code of ours: the fallback replaces it', (_what, raw) => {
  expect(isErrorCode(raw)).toBe(false);
  expect(errorCodeOf(raw, 'CALL_FAILED')).toBe('CALL_FAILED');
});
