// @relkit/release-core: the release domain. Pure logic and ports only — no network I/O here.
export { ReleaseError } from './errors.js';
export type { ReleaseErrorCode } from './errors.js';
export {
  parseVersion,
  compareVersions,
  isCandidate,
  baseVersion,
  formatTag,
  nextCandidate,
  floatingTags,
} from './version.js';
export type { ReleaseVersion } from './version.js';
export {
  parseConfig,
  parseConfigText,
  releaseConfigSchema,
  releaseConfigJsonSchema,
  releaseBranchName,
} from './config.js';
export type { ReleaseConfig, ReleaseConfigInput, SigningPolicy } from './config.js';
export type * from './observations.js';
export type { RegistryPort, SignaturePort, ForgePort, Clock, ReleasePorts } from './ports.js';
export { observeRelease, asObservationError } from './observe.js';
export { derivePhase, PHASES } from './phase.js';
export type { Phase, PhaseReport } from './phase.js';
export { evaluateGates, pullRequestGates, summarizeGates } from './gates.js';
export type { GateId, GateResult, GateStatus, Evidence } from './gates.js';
export { planPromote, planRollback, planAbandon, stepId } from './plan.js';
export type { Plan, PlanKind, PlannedStep, Step } from './plan.js';
export { execute, acquireReleaseLock } from './execute.js';
export type { ExecuteOptions, ExecutionEvent, ExecutionResult, HeldLock, JournalEntry } from './execute.js';
export { releaseStatus, withRollbackTargets } from './status.js';
export type { ReleaseAction, ReleaseActions, ReleaseStatus } from './status.js';
export { createReleaseService } from './service.js';
export type { ReleaseService, RunOptions } from './service.js';
// The publish phase (validate, finalize, tag, draft release, smoke dispatch) and verify-publish.
export * from './publish/index.js';
export {
  parseChangelog,
  positionAt,
  STANDARD_SUBSECTIONS,
  freeze,
  unfreeze,
  finalize,
  notes,
  releaseNotes,
  truncateNotes,
  validate,
  GITHUB_RELEASE_BODY_LIMIT,
  readChangelogFile,
  writeFileAtomic,
  editChangelogFile,
  freezeFile,
  unfreezeFile,
  finalizeFile,
  notesFromFile,
  validateFile,
  parseChangelogFile,
  sectionState,
  changelogOps,
} from './changelog/index.js';
export type {
  ChangelogDocument,
  ChangelogHeading,
  ChangelogSection,
  ChangelogSectionKind,
  ChangelogReleaseState,
  ChangelogSubsection,
  ChangelogDate,
  LinkDefinition,
  SourcePosition,
  TextSpan,
  FreezeOptions,
  UnfreezeOptions,
  FinalizeOptions,
  NotesOptions,
  ReleaseNotes,
  ValidateOptions,
  ValidationReport,
  ChangelogIssue,
  ChangelogIssueCode,
  ChangelogRelease,
  ChangelogFileResult,
} from './changelog/index.js';
export { redactor, secretsFromEnv } from './redact.js';
