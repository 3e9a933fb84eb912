// The chaos harness: SIGKILLed promotes that must converge, and promotes racing for the lock.
export { createPrng } from './prng.js';
export type { Prng } from './prng.js';
export { startChaosProxy, createKillSwitch } from './proxy.js';
export type { ChaosProxy, ChaosLogEntry, KillSwitch, RequestKillPoint } from './proxy.js';
export { readLockSnapshot, judgeLockMessage, LOCK_REF_PREFIX } from './lock-state.js';
export type { LockSnapshot, LockRefState } from './lock-state.js';
export { startChaosWorld } from './world.js';
export type { ChaosWorld, WorldObservation } from './world.js';
export { startCli, describeOutcome } from './cli.js';
export type { CliOutcome, CliProcess } from './cli.js';
export { runChaos, describeFailure, convergenceProblems, wrongLatestDigests } from './run.js';
export type { ChaosOptions, ChaosRunResult, ChaosSummary, Calibration, KillPlan } from './run.js';
export { runContention } from './contention.js';
export type { ContentionOptions, ContentionRound, ContentionSummary } from './contention.js';
