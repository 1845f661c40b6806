// ESLint flat config (ESLint 10 + typescript-eslint 8). `npm run lint` runs `eslint .`.
// - *.ts: typescript-eslint's recommended rules plus two typed rules against lost promises.
// - What workflow code may import (an allow-list) and the import layers are dependency-cruiser's
//   rules (.dependency-cruiser.cjs), which `npm run lint` runs after eslint.
// - *.js / *.cjs: plain CommonJS, linted without type information.
const { defineConfig, globalIgnores } = require('eslint/config');
const tseslint = require('typescript-eslint');

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
