// @relkit/release-core/prepare: gitflow's phase 0 (freeze the CHANGELOG on the integration
// branch, cut release/X.Y.Z, open the draft release PR) and the integration sync after promote.
export { observePrepare } from './observe.js';
export type { PrepareObservations, PullRequestLookup } from './observe.js';
export {
  changelogGate,
  integrationGate,
  releaseBranchGate,
  releasePrGate,
  versionGate,
  versionTagGate,
} from './gates.js';
export type { PrepareGate, PrepareGateId } from './gates.js';
export { planPrepare, prepareStepId } from './plan.js';
export type { PreparePlan, PreparePlannedStep, PrepareStep } from './plan.js';
export { executePrepare, releasePullRequestBody, PULL_REQUEST_BODY_LIMIT } from './execute.js';
export type {
  PrepareExecuteOptions,
  PrepareExecutionEvent,
  PrepareJournalEntry,
  PrepareResult,
} from './execute.js';
export { syncIntegrationBranch, syncBranchName } from './sync.js';
export type { SyncStep } from './sync.js';
export { createPrepareService } from '../prepare-service.js';
export type { PrepareService } from '../prepare-service.js';
export type { PrepareForgePort, PreparePorts } from './ports.js';
