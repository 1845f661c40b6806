/** Text tables of the CLI: a header row, columns padded to their widest cell. */

/** "s2" before "s10": digits compare as numbers (the order people expect of ids). */
export const naturalCompare = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare;

export interface Column<T> {
  header: string;
  cell(row: T): string | number | null | undefined;
  /** Numbers read better right-aligned. */
  right?: boolean;
}

/** The rows as lines under a header; the last column is not padded (it may be long free text). */
export function table<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => String(c.cell(r) ?? '-')));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}
