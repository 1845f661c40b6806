#!/usr/bin/env node
// The `ecology` command. Runs the TypeScript sources directly through tsx (no build step).
require('tsx/cjs');
const { main } = require('../src/cli/main.ts');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`ecology: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
