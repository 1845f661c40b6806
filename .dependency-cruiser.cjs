// dependency-cruiser rules: the import layers of docs/architecture.md. `npm run lint` runs them.
// - no-circular: no file reaches itself through imports (type-only imports count: they couple too).
// - not-domain-to-glue: the domain (src/* but the glue folders) never imports process glue.
// - no-upward-import: a layer imports only its own layer and the layers below it (LAYERS, bottom first).
// - not-in-a-layer: a source file outside every layer (a new folder) must be placed in LAYERS first.
// - workflow-values-allow-list / workflow-safe-stays-pure: workflow code runs in Temporal's
//   deterministic sandbox, so it imports values only from WORKFLOW_SAFE (type-only imports vanish at
//   compile time and are fine), and those modules import values only from each other.

/** Folders (or files) of each layer, bottom first; the names are docs/architecture.md's. */
const LAYERS = [
  ['kernel', ['src/errors.ts', 'src/ids.ts', 'src/validation.ts', 'src/deadline.ts', 'src/log/', 'src/config/', 'src/world/']],
  ['infra', ['src/db/', 'src/sandbox/', 'src/events/']],
  ['ledger', ['src/ledger/', 'src/debt/', 'src/rights/']],
  ['holdings', ['src/buckets/', 'src/escrow/']],
  ['artifacts', ['src/artifacts/']],
  ['economy', ['src/llm/', 'src/oracle/', 'src/metrics/', 'src/bounties/']],
  ['genesis', ['src/genesis/']],
  ['invoke', ['src/invoke/']],
  ['bounty checks', ['src/bountyChecks/']],
  ['agents', ['src/agents/', 'src/audit/']],
  ['temporal', ['src/temporal/']],
  ['world', ['src/ecology/', 'src/dashboard/']],
  ['activities', ['activities/']],
  ['entry', ['workflows/', 'workers/']],
  ['experiments', ['src/experiments/']],
  ['cli', ['src/cli/']],
  ['tools', ['bin/', 'bench/', 'scripts/']],
];

/** Process glue: it wires processes (Temporal, HTTP, the command line) around the domain. */
const GLUE = ['workers/', 'activities/', 'workflows/', 'src/cli/', 'src/dashboard/', 'src/temporal/', 'src/ecology/', 'src/experiments/'];

/** What workflow code may import as values: the workflow SDK, other workflow files, and pure constants. */
const WORKFLOW_SAFE = [
  'node_modules/@temporalio/workflow/',
  'node_modules/@temporalio/common/',
  'workflows/',
  'src/agents/types.ts',
  'src/agents/signals.ts',
  'src/ecology/types.ts',
  'src/ecology/signals.ts',
  'src/errors.ts',
  'src/temporal/failureText.ts',
];

const escape = (p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A path regex for folders ("dir/": everything under it) and files (that file alone); a package wherever it is installed. */
const under = (paths) =>
  paths.map((p) => (p.startsWith('node_modules/') ? `(^|/)${escape(p)}` : p.endsWith('/') ? `^${escape(p)}` : `^${escape(p)}$`)).join('|');

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: the files depend on each other, so none can be understood, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-domain-to-glue',
      severity: 'error',
      comment: `The domain never imports process glue (${GLUE.join(', ')}): glue calls the domain, not the other way round.`,
      from: { path: '^src/', pathNot: under(GLUE) },
      to: { path: under(GLUE) },
    },
    // One rule per layer, all of one name (dependency-cruiser reports a rule by its name).
    ...LAYERS.slice(0, -1).map(([, paths], i) => ({
      name: 'no-upward-import',
      severity: 'error',
      comment: 'A layer imports only its own layer and those below it (LAYERS here; docs/architecture.md).',
      from: { path: under(paths) },
      to: { path: under(LAYERS.slice(i + 1).flatMap(([, p]) => p)) },
    })),
    {
      name: 'not-in-a-layer',
      severity: 'error',
      comment: 'Every source folder stands in a layer: add a new one to LAYERS (and docs/architecture.md).',
      from: { path: '^(src|workflows|activities|workers|bin|bench|scripts)/', pathNot: under(LAYERS.flatMap(([, p]) => p)) },
      to: {},
    },
    {
      name: 'workflow-values-allow-list',
      severity: 'error',
      comment: 'Workflow code runs in the deterministic Temporal sandbox: value imports only from the workflow-safe list (type-only imports are fine).',
      from: { path: '^workflows/' },
      to: { pathNot: under(WORKFLOW_SAFE), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflow-safe-stays-pure',
      severity: 'error',
      comment: 'A workflow-safe module is bundled into workflows: it imports values only from other workflow-safe modules.',
      from: { path: under(WORKFLOW_SAFE.filter((p) => p.startsWith('src/'))) },
      to: { pathNot: under(WORKFLOW_SAFE), dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|test|dist|coverage|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    progress: { type: 'none' },
  },
};
