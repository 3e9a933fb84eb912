// The publish phase: validate, finalize the CHANGELOG, tag, draft release, smoke dispatch; and
// verify-publish. Pure decisions plus an executor over narrow ports; no network I/O here.
export { observePublish } from './observe.js';
export type { PublishKind, PublishObservations } from './observe.js';
export {
  planPublish,
  planCandidate,
  publishStepId,
  correlationId,
  verdictOf,
  SMOKE_EVENT_TYPE,
} from './plan.js';
export type {
  PublishCheck,
  PublishCheckId,
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
export { createPublishService } from './service.js';
export type { PublishService } from './service.js';
export type {
  BranchObservation,
  ChangelogOps,
  DispatchRequest,
  DraftReleaseRequest,
  FileCommitRequest,
  FileObservation,
  PublishForgePort,
  PublishImagePorts,
  PublishPorts,
} from './ports.js';
