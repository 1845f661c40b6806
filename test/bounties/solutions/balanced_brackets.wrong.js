// Counts brackets instead of nesting them: '([)]' and '))((' pass.
export function run({ text }) {
  const n = (c) => text.split(c).length - 1;
  return n('(') === n(')') && n('[') === n(']') && n('{') === n('}');
}
