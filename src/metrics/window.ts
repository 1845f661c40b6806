import { invalid } from '../errors';
import type { MetricsWindowBounds } from './types';

/**
 * The window a run at `at` aggregates: the last whole epoch-aligned window ending at or before it.
 * The schedule fires `lagSeconds` after each window's end (its interval offset), so rounding down
 * lands on the window that just ended; a hand-started run gets the last complete one.
 */
export function windowBefore(at: Date, windowSeconds: number): MetricsWindowBounds {
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < 1) throw invalid('windowSeconds must be a positive whole number');
  if (Number.isNaN(at.getTime())) throw invalid('the scheduled time is not a valid date');
  const every = windowSeconds * 1000;
  const end = Math.floor(at.getTime() / every) * every;
  return { start: new Date(end - every), end: new Date(end) };
}
