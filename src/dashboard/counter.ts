/**
 * Counts the dashboard's database statements by purpose, so that tests (and /api/summary) can show
 * that the live path's cost does not grow with the number of open pages.
 */
import type { Db } from './queries';

export type QueryPurpose = 'snapshot' | 'events' | 'api';

export interface QueryCounts {
  snapshot: number;
  events: number;
  api: number;
}

export class QueryCounter {
  readonly counts: QueryCounts = { snapshot: 0, events: 0, api: 0 };

  /** A Db whose every statement counts under `purpose`. */
  wrap(db: Db, purpose: QueryPurpose): Db {
    const counts = this.counts;
    return {
      query: ((...args: unknown[]) => {
        counts[purpose] += 1;
        return (db.query as (...a: unknown[]) => unknown)(...args);
      }) as Db['query'],
    };
  }
}
