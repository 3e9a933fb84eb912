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
export { execute } from './execute.js';
export type { ExecuteOptions, ExecutionEvent, ExecutionResult, JournalEntry } from './execute.js';
export { releaseStatus } from './status.js';
export type { ReleaseStatus } from './status.js';
export { createReleaseService } from './service.js';
export type { ReleaseService } from './service.js';
