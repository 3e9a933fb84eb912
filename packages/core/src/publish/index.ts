// @relkit/release-core/publish: the publish phase's internals (validate, finalize the CHANGELOG,
// tag, draft release, smoke dispatch; verify-publish). Front ends use createPublishService from
// the package root; these are for tools that compose the phase themselves.
export { observePublish } from './observe.js';
export type { PublishKind, PublishObservations } from './observe.js';
export {
  branchGate,
  builtFromGate,
  candidateTagGate,
  changelogGates,
  draftExistsGate,
  prGates,
  releaseGate,
  smokeConfiguredGate,
  versionGate,
  versionTagGate,
} from './gates.js';
export type { PublishGate, PublishGateId } from './gates.js';
export {
  planPublish,
  planCandidate,
  publishStepId,
  correlationId,
  PUBLISH_STAGES,
  SMOKE_EVENT_TYPE,
} from './plan.js';
export type {
  PublishOptions,
  PublishPlan,
  PublishPlannedStep,
  PublishRun,
  PublishStage,
  PublishStep,
} from './plan.js';
export { executePublish } from './execute.js';
export type {
  PublishExecuteOptions,
  PublishExecutionEvent,
  PublishJournalEntry,
  PublishResult,
} from './execute.js';
export { observePublishedImages, verifyPublish } from './verify.js';
export type { PublishVerification } from './verify.js';
export { createPublishService } from '../publish-service.js';
export type { PublishService } from '../publish-service.js';
export type {
  BranchObservation,
  ChangelogOps,
  DispatchRequest,
  DraftReleaseRequest,
  FileCommitRequest,
  FilesCommitRequest,
  FileObservation,
  PublishForgePort,
  PublishImagePorts,
  PublishPorts,
} from './ports.js';
