// `release-cli init`: the config, the workflows and the justfile, one module per file written;
// the action pins in one table (pins.ts).
import { abandonWorkflow } from './abandon-workflow.js';
import { releaseConfig } from './config.js';
import { workflowPath, type InitFile, type InitInput } from './input.js';
import { justfile } from './justfile.js';
import { prepareWorkflow } from './prepare-workflow.js';
import { promoteWorkflow } from './promote-workflow.js';
import { publishWorkflow } from './publish-workflow.js';

export { abandonWorkflow, justfile, prepareWorkflow, promoteWorkflow, publishWorkflow, releaseConfig };
export { CONFIG_SCHEMA_PATH, configSchemaUrl } from './config.js';
export { PLAN_WAIT_SECONDS, buildKind, type BuildKind } from './publish-workflow.js';
export {
  APP_CLIENT_ID_VARIABLE,
  APP_NEEDS,
  APP_PRIVATE_KEY_SECRET,
  CONCURRENCY_GROUP,
  SMOKE_TOKEN_SECRET,
  TOKEN_SECRET,
  workflowFileName,
  workflowPath,
  type InitFile,
  type InitInput,
  type WorkflowName,
} from './input.js';
export { ACTION_PINS, uses, type ActionPin, type PinnedAction } from './pins.js';

export function initFiles(input: InitInput): InitFile[] {
  return [
    { path: 'release.config.json', content: releaseConfig(input) },
    { path: workflowPath(input, 'release-publish'), content: publishWorkflow(input) },
    { path: workflowPath(input, 'prepare-release'), content: prepareWorkflow(input) },
    { path: workflowPath(input, 'promote-release'), content: promoteWorkflow(input) },
    { path: workflowPath(input, 'abandon-release'), content: abandonWorkflow(input) },
    { path: 'justfile', content: justfile(input) },
  ];
}
