// @relkit/release-core: the release domain. Pure logic and ports only — no network I/O here.
//
// The root is what front ends and other tools use: config, versions, the services, and the pure
// pieces of a promote (observe → gates → phase → plan → execute). Internals live behind subpaths:
//   @relkit/release-core/changelog  the CHANGELOG engine (parse, freeze, finalize, notes, validate)
//   @relkit/release-core/publish    the publish phase's observations, gates, plans and executor
//   @relkit/release-core/prepare    gitflow's prepare (freeze, release branch, draft PR) and sync
//   @relkit/release-core/redact     redacting secrets from text
export { ReleaseError } from './errors.js';
export type { ReleaseErrorCode } from './errors.js';
export {
  parseVersion,
  parseTag,
  formatTag,
  compareVersions,
  isCandidate,
  baseVersion,
  nextCandidate,
  floatingTags,
} from './version.js';
export type { ReleaseVersion } from './version.js';
export {
  parseConfig,
  parseConfigText,
  provenanceRule,
  releaseConfigJsonSchema,
  releaseBranchName,
  isGitflow,
  versionPatternProblem,
} from './config.js';
export { identityRegexpProblem, GITHUB_ACTIONS_ISSUER } from './identity-policy.js';
export type { IdentityPinning } from './identity-policy.js';
export type {
  ProvenanceConfig,
  ProvenanceRule,
  ReleaseConfig,
  ReleaseConfigInput,
  SigningPolicy,
  VersionFile,
} from './config.js';
export { asObservationError, isTransient } from './observations.js';
export type * from './observations.js';
export type {
  RegistryPort,
  SignaturePort,
  ForgePort,
  LockForgePort,
  BranchPort,
  OpenPullRequestRequest,
  Clock,
  ReleasePorts,
  PackagesPort,
  PackageVersion,
} from './ports.js';
// RC clean-up: the GitHub Packages API on ghcr.io, an OCI DELETE elsewhere.
export * from './cleanup/index.js';
// The engine: one executor for every plan.
export {
  runPlan,
  acquireReleaseLock,
  acquireReleaseLockAndObserve,
  unlockRelease,
  DEFAULT_LOCK_TTL_SECONDS,
  MAX_HOLDER_LENGTH,
  decodeLockState,
  encodeLockState,
  printableHolder,
  validLockTtl,
  viewLock,
} from './engine/index.js';
export type {
  Gate,
  HeldLock,
  Lease,
  LockedObservation,
  LockPorts,
  LockState,
  LockView,
  StoredLock,
  UnlockOptions,
  UnlockResult,
  RunOutcome,
  RunPlanOptions,
  StepHandler,
  StepHandlers,
  StepOutcome,
} from './engine/index.js';
// Promote, rollback, abandon.
export {
  observeRelease,
  evaluateGates,
  pullRequestGates,
  summarizeGates,
  anyCouldNotLook,
  awaitableGates,
  derivePhase,
  PHASES,
  planPromote,
  planRollback,
  planAbandon,
  execute,
  releaseStatus,
  withRollbackTargets,
} from './promote/index.js';
export type {
  Evidence,
  GateId,
  GateResult,
  GateStatus,
  Phase,
  PhaseReport,
  Plan,
  PlanKind,
  PlannedStep,
  Step,
  ExecuteOptions,
  ExecutionEvent,
  ExecutionResult,
  JournalEntry,
  ReleaseAction,
  ReleaseActions,
  ReleaseStatus,
} from './promote/index.js';
// The services every front end uses.
export { createReleaseService } from './release-service.js';
export type { ReleaseService, RunOptions } from './release-service.js';
export { createPrepareService } from './prepare-service.js';
export type { PrepareService } from './prepare-service.js';
// Prepare's types, for front ends that show its plans and results (its functions: ./prepare).
export type {
  PrepareExecuteOptions,
  PrepareExecutionEvent,
  PrepareForgePort,
  PrepareGate,
  PrepareGateId,
  PrepareJournalEntry,
  PreparePlan,
  PreparePlannedStep,
  PreparePorts,
  PrepareResult,
  PrepareStep,
  SyncStep,
} from './prepare/index.js';
export { createPublishService } from './publish-service.js';
export { PUBLISH_STAGES } from './publish/index.js';
export type { PublishService } from './publish-service.js';
// Publish's types, for front ends that show its plans and results (its functions: ./publish).
export type {
  BranchObservation,
  ChangelogOps,
  DispatchRequest,
  DraftReleaseRequest,
  FileCommitRequest,
  FilesCommitRequest,
  FileObservation,
  PublishExecuteOptions,
  PublishExecutionEvent,
  PublishForgePort,
  PublishGate,
  PublishGateId,
  PublishImagePorts,
  PublishJournalEntry,
  PublishKind,
  PublishObservations,
  PublishOptions,
  PublishPlan,
  PublishPlannedStep,
  PublishPorts,
  PublishResult,
  PublishRun,
  PublishStage,
  PublishStep,
  PublishVerification,
} from './publish/index.js';
