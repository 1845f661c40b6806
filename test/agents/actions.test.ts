/** The action schema (SPEC section 6) and agent configuration parsing, without services. */
import { actionJsonSchema, actsQuickly, describeAction, parseAction } from '../../src/agents/actions';
import { agentConfigFrom } from '../../src/agents/config';
import { loadConfig } from '../../src/config/load';

const MAX = 10_000;
const DEPTH = 35;
const ok = (text: string) => {
  const r = parseAction(text, MAX, DEPTH);
  if (!r.ok) throw new Error(r.reason);
  return r.action;
};
const reason = (text: string, max = MAX) => {
  const r = parseAction(text, max, DEPTH);
  if (r.ok) throw new Error(`accepted ${text}`);
  return r.reason;
};

test('the six actions of the SPEC parse, with an optional reasoning', () => {
  expect(ok('{"action":"noop","reasoning":"resting"}')).toEqual({ action: 'noop', reasoning: 'resting' });
  expect(ok('{"action":"read_artifact","id":"genesis_ledger"}')).toEqual({ action: 'read_artifact', id: 'genesis_ledger' });
  expect(ok('{"action":"write_artifact","id":"adder","type":"tool","content":{"doc":"adds"},"code":"export function run(a){return a.a+a.b}","price":2,"can_execute":true}')).toMatchObject({ id: 'adder', price: 2 });
  expect(ok('{"action":"delete_artifact","id":"adder"}')).toEqual({ action: 'delete_artifact', id: 'adder' });
  expect(ok('{"action":"invoke_artifact","id":"genesis_ledger","method":"transfer","args":{"to":"b","amount":5}}')).toMatchObject({ args: { to: 'b', amount: 5 } });
  expect(ok('{"action":"sleep","seconds":30}')).toEqual({ action: 'sleep', seconds: 30 });
  expect(ok('{"action":"sleep","until_event":"oracle_resolved","max_seconds":600}')).toMatchObject({ until_event: 'oracle_resolved' });
  expect(ok('{"action":"sleep","until":{"resource":"scrip","op":">=","value":100}}')).toMatchObject({ until: { resource: 'scrip', op: '>=', value: 100 } });
  expect(ok('```json\n{"action":"noop"}\n```')).toEqual({ action: 'noop' });
});

test('anything else is refused with a reason', () => {
  expect(reason('nope')).toMatch(/not valid JSON/);
  expect(reason('"noop"')).toMatch(/one JSON object/);
  expect(reason('[{"action":"noop"}]')).toMatch(/one JSON object/);
  expect(reason('{"action":"teleport"}')).toMatch(/^not a valid action: action/);
  expect(reason('{"action":"noop","caller":"someone_else"}')).toMatch(/caller/);
  expect(reason('{"action":"read_artifact","id":"bad id!"}')).toMatch(/id/);
  expect(reason('{"action":"invoke_artifact","id":"genesis_ledger","method":"transfer","args":[1]}')).toMatch(/args/);
  expect(reason('{"action":"sleep"}')).toMatch(/exactly one of seconds, until_event or until/);
  expect(reason('{"action":"sleep","seconds":5,"until_event":"x"}')).toMatch(/exactly one/);
  expect(reason('{"action":"sleep","seconds":-1}')).toMatch(/seconds/);
  expect(reason('{"action":"sleep","until":{"resource":"gold","op":">=","value":1}}')).toMatch(/resource/);
  expect(reason('{"action":"sleep","until":{"resource":"scrip","op":"~","value":1}}')).toMatch(/op/);
  expect(reason(`{"action":"noop","reasoning":"${'z'.repeat(200)}"}`, 100)).toMatch(/above the limit of 100/);
});

test('only invoking a non-genesis artifact (it may run agent code) is a slow act; the rest run as local activities', () => {
  for (const quick of [
    '{"action":"noop"}',
    '{"action":"sleep","seconds":30}',
    '{"action":"read_artifact","id":"adder"}',
    '{"action":"write_artifact","id":"adder","type":"tool","content":{}}',
    '{"action":"delete_artifact","id":"adder"}',
    '{"action":"invoke_artifact","id":"genesis_ledger","method":"transfer","args":{"to":"b","amount":5}}',
  ]) {
    expect([quick, actsQuickly(ok(quick))]).toEqual([quick, true]);
  }
  expect(actsQuickly(ok('{"action":"invoke_artifact","id":"adder","method":"run","args":{"a":1,"b":2}}'))).toBe(false);
  expect(actsQuickly(ok('{"action":"invoke_artifact","id":"genesis_ledgerx","method":"run"}'))).toBe(false);
});

test('descriptions are short', () => {
  expect(describeAction(ok('{"action":"sleep","until":{"resource":"compute","op":">","value":5},"max_seconds":9}'))).toBe('sleep until compute > 5 (max 9s)');
  expect(describeAction(ok(`{"action":"invoke_artifact","id":"x","method":"run","args":{"s":"${'a'.repeat(500)}"}}`)).length).toBeLessThanOrEqual(200);
});

test('an agent configuration falls back to the defaults field by field and says why', () => {
  const config = loadConfig({ env: {} });
  const c = agentConfigFrom({ model: 'gpt-4.1', max_tokens: 'many', temperature: 3, think_delay_ms: 250, extra: true }, config);
  expect(c).toMatchObject({ model: 'gpt-4.1', max_tokens: config.agents.defaults.max_tokens, temperature: config.agents.defaults.temperature, think_delay_ms: 250 });
  expect(c.problems).toHaveLength(2);
  expect(agentConfigFrom(null, config)).toMatchObject({ model: config.llm.defaultModel, system_prompt: config.agents.defaults.system_prompt, problems: [] });
  expect(agentConfigFrom({ max_tokens: config.agents.maxTokensCap + 1 }, config).max_tokens).toBe(config.agents.defaults.max_tokens);
});

test('invoke_artifact may state a grant: max_price, code_hash, allowance, allow; a bad one is refused with a reason', () => {
  const hash = 'ab'.repeat(32);
  const a = ok(`{"action":"invoke_artifact","id":"t","method":"run","max_price":3,"code_hash":"${hash}","allowance":{"scrip":10,"compute":500,"llm_dollars":0.05},"allow":["genesis_store.write"]}`);
  expect(a).toMatchObject({ max_price: 3, code_hash: hash, allowance: { scrip: 10, compute: 500, llm_dollars: 0.05 }, allow: ['genesis_store.write'] });
  expect(reason('{"action":"invoke_artifact","id":"t","method":"run","max_price":-1}')).toMatch(/max_price/);
  expect(reason('{"action":"invoke_artifact","id":"t","method":"run","code_hash":"xyz"}')).toMatch(/code_hash/);
  expect(reason('{"action":"invoke_artifact","id":"t","method":"run","allowance":{"scrip":1.5}}')).toMatch(/allowance/);
  expect(reason('{"action":"invoke_artifact","id":"t","method":"run","allowance":{"gold":1}}')).toMatch(/allowance/);
  expect(reason('{"action":"invoke_artifact","id":"t","method":"run","allow":["genesis_store.nothing"]}')).toMatch(/allow/);
});

test('output nested deeper than a valid action can be is refused before anything stores or describes it', () => {
  const nested = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
  const invoke = (n: number) => `{"action":"invoke_artifact","id":"genesis_ledger","method":"balance","args":{"x":${nested(n)}}}`;
  expect(ok(invoke(DEPTH - 3))).toMatchObject({ action: 'invoke_artifact' });
  expect(reason(invoke(DEPTH - 2))).toBe(`output is nested more than ${DEPTH} levels deep`);
  expect(reason(invoke(4200))).toBe(`output is nested more than ${DEPTH} levels deep`);
});

test('write_artifact names only the fields it changes: type is optional, null clears code and price; the response format agrees', () => {
  expect(ok('{"action":"write_artifact","id":"adder","price":5}')).toEqual({ action: 'write_artifact', id: 'adder', price: 5 });
  expect(ok('{"action":"write_artifact","id":"adder","code":null,"price":null,"can_execute":false}')).toMatchObject({ code: null, price: null });
  expect(describeAction(ok('{"action":"write_artifact","id":"adder","price":5}'))).toBe('write_artifact adder');
  expect(reason('{"action":"write_artifact","id":"adder","price":-1}')).toMatch(/price/);
  const write = actionJsonSchema(100).anyOf.find((a) => a.properties.action.enum[0] === 'write_artifact')!;
  expect(write.required).toEqual(['action', 'id']);
  expect(write.properties).toMatchObject({ code: { anyOf: [{ type: 'string' }, { type: 'null' }] }, price: { anyOf: [{ minimum: 0 }, { type: 'null' }] } });
});
