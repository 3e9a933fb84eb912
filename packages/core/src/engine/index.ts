// The engine every plan runs on: gate, plan, step, journal and event types, the release lock
// and the one executor. Promote and publish supply only their gates and step handlers.
export { couldNotLook, summarizeGates, anyCouldNotLook } from './gates.js';
export type { Evidence, Gate, GateStatus } from './gates.js';
export type {
  ExecutionEvent,
  JournalEntry,
  LockEvent,
  Plan,
  PlannedStep,
  StepHandler,
  StepHandlers,
  StepLike,
  StepOutcome,
} from './plan.js';
export { acquireReleaseLock } from './lock.js';
export type { HeldLock, LockOptions, LockPorts } from './lock.js';
export { blockedError, runPlan } from './run.js';
export type { RunOutcome, RunPlanOptions, RunPorts } from './run.js';
