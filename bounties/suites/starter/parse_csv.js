/* global runCases, randomInt, randomString, pick -- from _prelude.js */
// Checker of bounty parse_csv: RFC 4180 rows of string fields (quotes, "" escapes, commas and line
// breaks inside quotes, \n or \r\n between rows, no row after a final line break).
const CASES = [
  [{ text: 'a,b,c' }, [['a', 'b', 'c']]],
  [{ text: 'a,b\nc,d\n' }, [['a', 'b'], ['c', 'd']]],
  [{ text: '' }, []],
  [{ text: 'x,"y,z"\r\n1,2' }, [['x', 'y,z'], ['1', '2']]],
  [{ text: '"he said ""hi""",ok' }, [['he said "hi"', 'ok']]],
  [{ text: '"multi\nline",2' }, [['multi\nline', '2']]],
  [{ text: 'a,,c\n,,' }, [['a', '', 'c'], ['', '', '']]],
  [{ text: '""' }, [['']]],
  [{ text: 'a\n\nb' }, [['a'], [''], ['b']]],
  [{ text: '"a\r\nb","c"\r\n' }, [['a\r\nb', 'c']]],
];

// Cases drawn at each check, answered by the checker's own solution.
/** Rows of fields with commas, quotes and line breaks, and their CSV (quoted where needed; rows end in LF or CR LF). */
function randomCase() {
  const rows = Array.from({ length: randomInt(1, 4) }, () => Array.from({ length: randomInt(1, 3) }, () => randomString('ab ,"\n', randomInt(0, 4))));
  const field = (f, alone) => (/[,"\r\n]/.test(f) || (alone && f === '') ? `"${f.replace(/"/g, '""')}"` : f);
  const eol = pick(['\n', '\r\n']);
  const text = rows.map((r) => r.map((f) => field(f, r.length === 1)).join(',')).join(eol) + pick(['', eol]);
  return [{ text }, rows];
}

export async function run(args, ctx) {
  return runCases(args, ctx, [...CASES, ...Array.from({ length: 3 }, randomCase)]);
}
