/** A bad spec is refused with one INVALID_ARGUMENT naming each problem; a good one gets its defaults. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSpec, readSpec } from '../../src/experiments/spec';
import { EcologyError } from '../../src/errors';

const good = {
  name: 'tiny',
  agents: [{ id: 'smith', system_prompt: 'You build tools.', endowment: { scrip: 100, compute: 5000 } }],
  suite: 'bounties/suites/starter.json',
  budget_usd: 0.5,
  minutes: 10,
};

function problemsOf(raw: unknown): string[] {
  try {
    parseSpec(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(EcologyError);
    expect((e as EcologyError).code).toBe('INVALID_ARGUMENT');
    return (e as EcologyError).details!.problems as string[];
  }
  throw new Error('the spec was accepted');
}

test('defaults: both arms, one repeat', () => {
  expect(parseSpec(good)).toMatchObject({ arms: ['society', 'isolated'], repeats: 1 });
});

test('each problem is named with its path', () => {
  expect(problemsOf({ ...good, name: 'Bad Name; DROP' })[0]).toMatch(/^name: /);
  expect(problemsOf({ ...good, extra: 1 })[0]).toMatch(/extra/);
  expect(problemsOf({ ...good, budget_usd: 0 })[0]).toMatch(/^budget_usd/);
  expect(problemsOf({ ...good, minutes: -1 })[0]).toMatch(/^minutes/);
  expect(problemsOf({ ...good, arms: ['society', 'society'] })[0]).toMatch(/^arms: an arm may be named once/);
  expect(problemsOf({ ...good, arms: ['anarchy'] })[0]).toMatch(/^arms\.0/);
  expect(problemsOf({ ...good, repeats: 1.5 })[0]).toMatch(/^repeats/);
  expect(problemsOf({ ...good, agents: [] })[0]).toMatch(/^agents/);
  expect(problemsOf({ ...good, agents: [good.agents[0], good.agents[0]] })[0]).toMatch(/agent ids must differ/);
  expect(problemsOf({ ...good, agents: [{ ...good.agents[0], id: 'genesis_x' }] })[0]).toMatch(/^agents\.0\.id: .*reserved/);
  expect(problemsOf({ ...good, agents: [{ ...good.agents[0], endowment: { scrip: -1, compute: 0 } }] })[0]).toMatch(/^agents\.0\.endowment\.scrip/);
  expect(problemsOf({ ...good, quotas: { llm_dollars: -5 } })[0]).toMatch(/^quotas\.llm_dollars/);
  expect(problemsOf({ name: 'x' }).length).toBeGreaterThanOrEqual(4);
});

test('the arm sets world.isolation, never the spec', () => {
  expect(() => parseSpec({ ...good, config: { world: { isolation: 'society' } } })).toThrow(/set by each arm/);
});

test('a file that is missing or not JSON is a typed error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spec-'));
  writeFileSync(join(dir, 'bad.json'), '{ not json');
  expect(() => readSpec(join(dir, 'bad.json'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/not JSON/) }));
  expect(() => readSpec(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/cannot read/) }));
  writeFileSync(join(dir, 'ok.json'), JSON.stringify(good));
  expect(readSpec(join(dir, 'ok.json')).name).toBe('tiny');
});

test('the shipped starter spec is valid', () => {
  expect(readSpec(join(__dirname, '..', '..', 'experiments', 'specs', 'starter.json')).agents.length).toBeGreaterThanOrEqual(3);
});
