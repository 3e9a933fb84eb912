// The engine every plan runs on: gate, plan, step, journal and event types, the release lock
// and the one executor. Promote and publish supply only their gates and step handlers.
export {
  AWAITABLE_GATE_IDS,
  awaitableGates,
  couldNotLook,
  summarizeGates,
  anyCouldNotLook,
} from './gates.js';
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
export { acquireReleaseLock, acquireReleaseLockAndObserve, unlockRelease } from './lock.js';
export type {
  HeldLock,
  LockedObservation,
  LockOptions,
  LockPorts,
  UnlockOptions,
  UnlockResult,
} from './lock.js';
export {
  DEFAULT_LOCK_TTL_SECONDS,
  MAX_HOLDER_LENGTH,
  decideUnlock,
  decodeLockState,
  encodeLockState,
  mayAcquire,
  printableHolder,
  validLockTtl,
  viewLock,
} from './lock-state.js';
export type { Lease, LockState, LockView, StoredLock, UnlockDecision } from './lock-state.js';
export { blockedError, runPlan } from './run.js';
export type { RunOutcome, RunPlanOptions, RunPorts } from './run.js';
