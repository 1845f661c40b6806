import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile } from '../../bench/support/measure';
import { writeSection } from '../../bench/support/report';

describe('BENCHMARKS.md sections', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'bench-')), 'BENCHMARKS.md');

  it('creates the file with a header and the section', () => {
    const f = file();
    writeSection(f, 'ledger', 'first run');
    const text = readFileSync(f, 'utf8');
    expect(text.startsWith('# Benchmarks')).toBe(true);
    expect(text).toContain('## ledger\n\nfirst run\n');
  });

  it('replaces its own section in place and leaves the others as they are', () => {
    const f = file();
    writeSection(f, 'ledger', 'ledger one');
    writeSection(f, 'oracle', 'oracle one');
    writeFileSync(f, readFileSync(f, 'utf8') + '\nA note someone wrote by hand.\n');
    writeSection(f, 'ledger', 'ledger two');
    const text = readFileSync(f, 'utf8');
    expect(text).not.toContain('ledger one');
    expect(text).toContain('ledger two');
    expect(text).toContain('oracle one');
    expect(text).toContain('A note someone wrote by hand.');
    expect(text.indexOf('ledger two')).toBeLessThan(text.indexOf('oracle one'));
    expect(text.match(/## ledger/g)).toHaveLength(1);
  });
});

describe('quantile', () => {
  it('takes the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
