// ESLint flat config (ESLint 10 + typescript-eslint 8). `npm run lint` runs `eslint .`.
// - *.ts: typescript-eslint's recommended rules plus two typed rules against lost promises.
// - workflows/**: Temporal workflow code runs in a deterministic sandbox, so it may not import
//   Node built-ins, I/O libraries, the database layer or activity implementations (type-only
//   imports are fine: they vanish at compile time).
// - *.js / *.cjs: plain CommonJS, linted without type information.
const { defineConfig, globalIgnores } = require('eslint/config');
const tseslint = require('typescript-eslint');

const NODE_BUILTINS = [
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'diagnostics_channel',
  'dns', 'events', 'fs', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os', 'path',
  'perf_hooks', 'process', 'querystring', 'readline', 'repl', 'stream', 'string_decoder', 'timers',
  'tls', 'tty', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];
const WORKFLOW_SANDBOX_HINT =
  'workflow code runs in the deterministic Temporal sandbox; do this in an activity (type-only imports are allowed)';

module.exports = defineConfig([
  globalIgnores(['node_modules/', '.data/', 'dist/', 'coverage/']),

  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },

  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(node:.*|(${NODE_BUILTINS.join('|')})(/.*)?)$`,
              allowTypeImports: true,
              message: `Node built-ins are not available in workflows: ${WORKFLOW_SANDBOX_HINT}.`,
            },
            {
              regex: '^(pg|dockerode|openai)(/.*)?$',
              allowTypeImports: true,
              message: `I/O libraries are not allowed in workflows: ${WORKFLOW_SANDBOX_HINT}.`,
            },
            {
              regex: '^(\\.\\./)+(src/db|activities)(/.*)?$',
              allowTypeImports: true,
              message: `The database layer and activity implementations are not allowed in workflows: ${WORKFLOW_SANDBOX_HINT}.`,
            },
          ],
        },
      ],
    },
  },

  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.recommended, tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // Bounty checkers and the tests' solutions are ES modules run in the sandbox (src/sandbox).
  {
    files: ['bounties/**/*.js', 'test/bounties/solutions/**/*.js'],
    languageOptions: { sourceType: 'module' },
  },
]);
