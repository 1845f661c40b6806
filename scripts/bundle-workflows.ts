/**
 * `npm run workflows:bundle [file]`: bundles workflows/index.ts into `file` (default
 * dist/workflow-bundle.js). The Dockerfile runs it so that the image's worker loads the bundle
 * ($ECOLOGY_WORKFLOW_BUNDLE) instead of bundling at every start.
 */
import { writeWorkflowBundle } from '../src/ecology/workflowBundle';

const file = process.argv[2] ?? 'dist/workflow-bundle.js';
writeWorkflowBundle(file).then(
  () => process.stdout.write(`wrote ${file}\n`),
  (e: Error) => {
    process.stderr.write(`workflows:bundle: ${e.message}\n`);
    process.exit(1);
  },
);
