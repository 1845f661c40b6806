/* global runCases */
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

export async function run(args, ctx) {
  return runCases(args, ctx, CASES);
}
