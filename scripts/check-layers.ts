/**
 * `npm run lint:layers` (part of `npm run lint`): checks the import rules of .dependency-cruiser.cjs
 * (the layers of docs/architecture.md) over the tree in the current directory, prints each
 * violation with its rule's name and exits 1 if there is any. It calls dependency-cruiser's API
 * because its command line refuses to start on Node 20, which this project supports.
 * Arguments: the folders to check (default: every folder with source code).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const FOLDERS = ['src', 'workflows', 'activities', 'workers', 'bench', 'scripts', 'bin'];

async function main(): Promise<number> {
  const { cruise } = await import('dependency-cruiser');
  const { default: extractTSConfig } = await import('dependency-cruiser/config-utl/extract-ts-config');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the rules file is CommonJS, like eslint.config.js
  const config = require(resolve('.dependency-cruiser.cjs'));
  const folders = (process.argv.length > 2 ? process.argv.slice(2) : FOLDERS).filter((f) => existsSync(f));
  const result = await cruise(
    folders,
    { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden }, outputType: 'err-long' },
    undefined,
    { tsConfig: extractTSConfig(config.options.tsConfig.fileName) },
  );
  process.stdout.write(String(result.output));
  return result.exitCode;
}

main().then(
  (code) => process.exit(code === 0 ? 0 : 1),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);
