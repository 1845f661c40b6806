/**
 * The import layers hold (docs/architecture.md): `npm run lint:layers` (dependency-cruiser with
 * .dependency-cruiser.cjs) passes on the real tree, and on a scratch copy with one planted
 * violation of each rule it fails, naming that rule for exactly the planted import.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './support';

jest.setTimeout(120_000);

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CHECK = join(ROOT, 'scripts', 'check-layers.ts');

/** Runs the layer check in `cwd`: its exit code and its violations as "rule: from -> to". */
function checkLayers(cwd: string): Promise<{ code: number; violations: string[]; output: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CHECK], { cwd, timeout: 100_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      // err-long prints "  error <rule>: <from> → <to>"; a circle's path continues on the next lines.
      const violations = [...stdout.matchAll(/^\s+error (\S+): (\S+) → ?(\S*)$/gm)].map(([, rule, from, to]) => `${rule}: ${from} -> ${to}`);
      resolve({ code, violations, output: stdout + stderr });
    });
  });
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function copy(root: string, path: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  copyFileSync(join(ROOT, path), join(root, path));
}

test('the real tree keeps every import rule', async () => {
  const r = await checkLayers(ROOT);
  expect(r.output).toContain('no dependency violations found');
  expect(r.code).toBe(0);
});

describe('a planted violation of each rule fails with that rule', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layers-'));
    // The rules and the real files the plants import (their own imports stay unresolved here).
    for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'src/ids.ts', 'src/errors.ts', 'src/temporal/connection.ts', 'src/artifacts/store.ts', 'src/agents/act.ts', 'src/agents/types.ts']) copy(dir, f);
    // A circle inside one layer.
    write(dir, 'src/ledger/circleA.ts', "import { b } from './circleB';\nexport const a = (): number => b() + 1;\n");
    write(dir, 'src/ledger/circleB.ts', "import { a } from './circleA';\nexport const b = (): number => a() - 1;\n");
    // The domain importing process glue.
    write(dir, 'src/ledger/glue.ts', "import { connectClient } from '../temporal/connection';\nexport const connect = connectClient;\n");
    // The ledger (a lower layer) importing artifacts (a higher one).
    write(dir, 'src/ledger/upward.ts', "import { sizeOf } from '../artifacts/store';\nexport const size = sizeOf;\n");
    // A new folder that no layer names.
    write(dir, 'src/newPart/thing.ts', "import { SCRIP } from '../ids';\nexport const asset = SCRIP;\n");
    // A workflow importing a value from src/agents/act.ts (and a Node built-in); its type-only import
    // of the same file and its value import of a workflow-safe module are allowed.
    write(
      dir,
      'workflows/planted.ts',
      [
        "import { randomUUID } from 'node:crypto';",
        "import { act } from '../src/agents/act';",
        "import type { ActDeps } from '../src/agents/act';",
        "import { agentWorkflowId } from '../src/agents/types';",
        'export const planted = [act, agentWorkflowId, randomUUID];',
        'export type Deps = ActDeps;',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('each planted import is reported under its rule, and nothing else is', async () => {
    const r = await checkLayers(dir);
    expect(r.code).toBe(1);
    expect(r.violations.sort()).toEqual(
      [
        'no-circular: src/ledger/circleA.ts -> ',
        'not-domain-to-glue: src/ledger/glue.ts -> src/temporal/connection.ts',
        // Glue stands above every domain layer, so the same import also runs up.
        'no-upward-import: src/ledger/glue.ts -> src/temporal/connection.ts',
        'no-upward-import: src/ledger/upward.ts -> src/artifacts/store.ts',
        'not-in-a-layer: src/newPart/thing.ts -> src/ids.ts',
        'workflow-values-allow-list: workflows/planted.ts -> src/agents/act.ts',
        'workflow-values-allow-list: workflows/planted.ts -> crypto',
      ].sort(),
    );
  });

  test('a workflow-safe module that imports a value from outside the list is reported', async () => {
    write(dir, 'src/agents/types.ts', "import { act } from './act';\nexport const agentWorkflowId = (id: string): string => `agent-${id}` + String(act);\n");
    const r = await checkLayers(dir);
    expect(r.code).toBe(1);
    expect(r.violations).toContain('workflow-safe-stays-pure: src/agents/types.ts -> src/agents/act.ts');
  });
});
