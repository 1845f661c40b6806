// Parses the CSV by splitting on commas and line breaks (no quoting).
export function run({ text, column }) {
  const [header = [], ...rows] = text.split('\n').map((l) => l.split(','));
  const at = header.indexOf(column);
  if (at < 0) return null;
  const values = rows
    .map((r) => r[at])
    .filter((f) => typeof f === 'string' && f.trim() !== '' && Number.isFinite(Number(f)))
    .map(Number);
  if (values.length === 0) return { count: 0, min: null, max: null, sum: 0, mean: null };
  const sum = values.reduce((a, b) => a + b, 0);
  return { count: values.length, min: Math.min(...values), max: Math.max(...values), sum, mean: sum / values.length };
}
