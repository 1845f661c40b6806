/** The process logger (src/log/logger.ts): JSON lines with levels, the level and format settings, bad settings refused. */
import { isEcologyError } from '../../src/errors';
import { createLogger, LOG_LEVELS, loggerFromSettings, parseLogLevel } from '../../src/log/logger';
import { captureLog, captureStream } from '../support/logCapture';

test('a line is one JSON object with the level as a word, the message, the time and the fields given', () => {
  const c = captureLog();
  c.logger.info({ agentId: 'alice', iteration: 3 }, 'thought');
  expect(c.text().split('\n').filter(Boolean)).toHaveLength(1);
  expect(c.lines[0]).toMatchObject({ level: 'info', msg: 'thought', name: 'ecology', agentId: 'alice', iteration: 3 });
  expect(new Date(c.lines[0]!.time as string).toISOString()).toBe(c.lines[0]!.time);
});

test('lines below the level are left out', () => {
  const c = captureLog({ level: 'warn' });
  c.logger.debug('d');
  c.logger.info('i');
  c.logger.warn('w');
  c.logger.error('e');
  expect(c.lines.map((l) => [l.level, l.msg])).toEqual([
    ['warn', 'w'],
    ['error', 'e'],
  ]);
});

test('pretty output is a readable line, not JSON; json is the default away from a terminal', () => {
  const pretty = captureStream();
  createLogger({ format: 'pretty', destination: pretty.destination }).warn({ agentId: 'bob' }, 'think failed');
  const text = pretty.raw.join('');
  expect(text).toMatch(/WARN.*think failed/);
  expect(text).toContain('"agentId":"bob"');
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(() => JSON.parse(text)).toThrow();
  const plain = captureStream();
  createLogger({ destination: plain.destination }).info('hello');
  expect(JSON.parse(plain.raw.join(''))).toMatchObject({ level: 'info', msg: 'hello' });
});

test('the level: --log-level over ECOLOGY_LOG_LEVEL over info; any case', () => {
  const sink = captureStream().destination;
  expect(loggerFromSettings({ env: {}, destination: sink }).level).toBe('info');
  expect(loggerFromSettings({ env: { ECOLOGY_LOG_LEVEL: 'warn' }, destination: sink }).level).toBe('warn');
  expect(loggerFromSettings({ env: { ECOLOGY_LOG_LEVEL: 'DEBUG' }, destination: sink }).level).toBe('debug');
  expect(loggerFromSettings({ flag: 'error', env: { ECOLOGY_LOG_LEVEL: 'debug' }, destination: sink }).level).toBe('error');
});

test('ECOLOGY_LOG_FORMAT forces json or pretty', () => {
  const json = captureStream();
  loggerFromSettings({ env: { ECOLOGY_LOG_FORMAT: 'json' }, destination: json.destination }).info('x');
  expect(JSON.parse(json.raw.join(''))).toMatchObject({ msg: 'x' });
  const pretty = captureStream();
  loggerFromSettings({ env: { ECOLOGY_LOG_FORMAT: 'pretty' }, destination: pretty.destination }).info('x');
  expect(pretty.raw.join('')).toMatch(/INFO.*x/);
});

test('a bad level or format is refused with a typed error naming what is allowed', () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    throw new Error('not refused');
  };
  const flag = refusal(() => loggerFromSettings({ flag: 'loud', env: {} }));
  expect(isEcologyError(flag) && flag.code).toBe('INVALID_ARGUMENT');
  expect((flag as Error).message).toBe(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got "loud")`);
  const env = refusal(() => loggerFromSettings({ env: { ECOLOGY_LOG_LEVEL: 'verbose' } }));
  expect(isEcologyError(env) && env.code).toBe('INVALID_ARGUMENT');
  expect((env as Error).message).toContain('ECOLOGY_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent');
  const format = refusal(() => loggerFromSettings({ env: { ECOLOGY_LOG_FORMAT: 'xml' } }));
  expect(isEcologyError(format) && format.code).toBe('INVALID_ARGUMENT');
  expect((format as Error).message).toContain('ECOLOGY_LOG_FORMAT must be one of json, pretty');
  expect(() => parseLogLevel('', '--log-level')).toThrow(/must be one of/);
});
