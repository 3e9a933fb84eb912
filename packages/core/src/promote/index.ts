// Promote, rollback and abandon: observe a release, judge it (gates, phase, status) and plan
// the steps the engine runs. Everything here is a pure function of observations, except
// observeRelease (through the ports) and the step handlers execute() hands the engine.
export { observeRelease } from './observe.js';
export { evaluateGates, pullRequestGates, summarizeGates, anyCouldNotLook, awaitableGates } from './gates.js';
export type { Evidence, GateId, GateResult, GateStatus } from './gates.js';
export { derivePhase, PHASES } from './phase.js';
export type { Phase, PhaseReport } from './phase.js';
export { planPromote, planRollback, planAbandon, stepId } from './plan.js';
export type { Plan, PlanKind, PlannedStep, Step } from './plan.js';
export { execute, acquireReleaseLock } from './execute.js';
export type { ExecuteOptions, ExecutionEvent, ExecutionResult, HeldLock, JournalEntry } from './execute.js';
export { releaseStatus, withRollbackTargets } from './status.js';
export type { ReleaseAction, ReleaseActions, ReleaseStatus } from './status.js';
