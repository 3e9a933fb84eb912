import type { ReleaseConfig } from './config.js';
import {
  acquireReleaseLockAndObserve,
  unlockRelease,
  type UnlockOptions,
  type UnlockResult,
} from './engine/lock.js';
import type { ReleasePorts } from './ports.js';
import { execute, type ExecuteOptions, type ExecutionResult } from './promote/execute.js';
import { observeRelease } from './promote/observe.js';
import { planAbandon, planPromote, planRollback, type Plan } from './promote/plan.js';
import { releaseStatus, type ReleaseStatus } from './promote/status.js';
import { baseVersion, compareVersions, formatTag, parseTag, parseVersion } from './version.js';

/**
 * The release operations every front end offers (CLI, VS Code, the GitHub Action, other
 * tools), composed from the pure pieces and the ports. Holds no state: each call observes.
 */
export interface RunOptions extends ExecuteOptions {
  /** Called with the plan after the gates ran and before the first step (to show it). */
  readonly onPlan?: (plan: Plan) => void;
}

export interface ReleaseService {
  readonly config: ReleaseConfig;
  /** Versions with a tag, a release or a release PR, newest first. */
  listVersions(options?: { limit?: number; signal?: AbortSignal }): Promise<string[]>;
  status(version: string, signal?: AbortSignal): Promise<ReleaseStatus>;
  planPromote(version: string, signal?: AbortSignal): Promise<Plan>;
  promote(version: string, options?: RunOptions): Promise<ExecutionResult>;
  planRollback(toVersion: string, signal?: AbortSignal): Promise<Plan>;
  rollback(toVersion: string, options?: RunOptions): Promise<ExecutionResult>;
  planAbandon(version: string, signal?: AbortSignal): Promise<Plan>;
  abandon(version: string, options?: RunOptions): Promise<ExecutionResult>;
  /** Frees the release lock: this holder's or an expired one; any with `force` (see unlockRelease). */
  unlock(options: UnlockOptions): Promise<UnlockResult>;
}

export function createReleaseService(config: ReleaseConfig, ports: ReleasePorts): ReleaseService {
  // The edge: a version argument is parsed here, once, and carried as a ReleaseVersion.
  const observe = (version: string, signal?: AbortSignal) =>
    observeRelease(config, ports, parseVersion(version), signal);

  const rollbackPlan = async (toVersion: string, signal?: AbortSignal) =>
    planRollback(config, await observe(toVersion, signal));

  /**
   * The lock and the observations the plan is made from, at once: the lock's version is read
   * first and the observing starts only then, so a run that takes the lock right after another
   * released it sees what that run wrote, never the world before it (the argument is at
   * acquireReleaseLockAndObserve). Whatever happens, the lock is released.
   */
  const runLocked = async (
    makePlan: (signal: AbortSignal) => Promise<Plan>,
    options: RunOptions,
  ): Promise<ExecutionResult> => {
    const { lock, observed: plan } = await acquireReleaseLockAndObserve(ports, makePlan, options);
    try {
      options.onPlan?.(plan);
      return await execute(config, plan, ports, { ...options, lock });
    } finally {
      await lock.release();
    }
  };

  const service: ReleaseService = {
    config,
    async listVersions(options = {}) {
      const tags = await ports.forge.listTags(config.tagPrefix, options.signal);
      const versions = new Map<string, ReturnType<typeof baseVersion>>();
      for (const t of tags) {
        const v = parseTag(t, config.tagPrefix);
        if (v) versions.set(baseVersion(v).text, baseVersion(v));
      }
      return [...versions.values()]
        .sort((a, b) => compareVersions(b, a))
        .slice(0, options.limit ?? 10)
        .map((v) => formatTag(v));
    },
    async status(version, signal) {
      return releaseStatus(config, await observe(version, signal));
    },
    async planPromote(version, signal) {
      return planPromote(config, await observe(version, signal));
    },
    promote(version, options = {}) {
      return runLocked((signal) => service.planPromote(version, signal), options);
    },
    planRollback: rollbackPlan,
    rollback(toVersion, options = {}) {
      return runLocked((signal) => rollbackPlan(toVersion, signal), options);
    },
    async planAbandon(version, signal) {
      return planAbandon(config, await observe(version, signal));
    },
    abandon(version, options = {}) {
      return runLocked((signal) => service.planAbandon(version, signal), options);
    },
    unlock(options) {
      return unlockRelease(ports, options);
    },
  };
  return service;
}
