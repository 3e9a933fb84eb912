import type { ReleaseConfig } from './config.js';
import { ReleaseError } from './errors.js';
import { executePrepare, type PrepareExecuteOptions, type PrepareResult } from './prepare/execute.js';
import { observePrepare } from './prepare/observe.js';
import { planPrepare, type PreparePlan } from './prepare/plan.js';
import type { PreparePorts } from './prepare/ports.js';
import { baseVersion, parseVersion } from './version.js';

/**
 * Gitflow's phase 0 as front ends use it (`release-cli prepare X.Y.Z`, the Action's `prepare`):
 * observe → plan → execute, with no state of its own.
 */
export interface PrepareService {
  readonly config: ReleaseConfig;
  plan(version: string, options?: { signal?: AbortSignal }): Promise<PreparePlan>;
  /** Runs a plan made by `plan` (steps re-check the world first). */
  execute(plan: PreparePlan, options?: PrepareExecuteOptions): Promise<PrepareResult>;
}

export function createPrepareService(config: ReleaseConfig, ports: PreparePorts): PrepareService {
  return {
    config,
    async plan(version, options = {}) {
      const v = parseVersion(version, config.tagPrefix);
      if (v.candidate !== undefined)
        throw new ReleaseError(
          'INVALID_VERSION',
          `${version} is a candidate tag; prepare takes the base version ${baseVersion(v).text}`,
        );
      return planPrepare(config, await observePrepare(config, ports, v, options.signal));
    },
    execute(plan, options = {}) {
      return executePrepare(config, plan, ports, options);
    },
  };
}
