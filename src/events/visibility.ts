/**
 * Who may read an event. An event with an `audience` (migrations/018_private_events.sql) is private
 * to that principal, and to operators, who read the whole log; every other reader filters.
 */

/** SQL: the events row (`alias.` prefix, or none) is public. */
export const publicEventSql = (alias = ''): string => `${alias}audience IS NULL`;

/** SQL: the events row may be read by the principal in the parameter `viewer` (e.g. '$1'). */
export const eventVisibleToSql = (viewer: string, alias = ''): string => `(${alias}audience IS NULL OR ${alias}audience = ${viewer})`;
