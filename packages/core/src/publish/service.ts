import { changelogOps } from '../changelog/publish-port.js';
import type { ReleaseConfig } from '../config.js';
import { ReleaseError } from '../errors.js';
import { parseVersion } from '../version.js';
import { executePublish, type PublishExecuteOptions, type PublishResult } from './execute.js';
import { observePublish } from './observe.js';
import { planCandidate, planPublish, type PublishOptions, type PublishPlan } from './plan.js';
import type { PublishPorts } from './ports.js';
import { observePublishedImages, verifyPublish, type PublishVerification } from './verify.js';

/**
 * The publish phase as front ends use it (CLI, the GitHub Action, other tools): observe → plan
 * → execute, with no state of its own. `candidate: true` cuts the next X.Y.Z-rcN instead.
 */
export interface PublishService {
  readonly config: ReleaseConfig;
  plan(
    version: string,
    options: PublishOptions & { candidate?: boolean; signal?: AbortSignal },
  ): Promise<PublishPlan>;
  /** Runs a plan made by `plan` (what a front end showed is what runs; steps re-check the world). */
  execute(plan: PublishPlan, options?: PublishExecuteOptions): Promise<PublishResult>;
  /** Plans and runs; throws GATE_NOT_MET (with the checks) when a validation fails. */
  publish(
    version: string,
    options: PublishOptions & PublishExecuteOptions & { candidate?: boolean },
  ): Promise<{ plan: PublishPlan; result: PublishResult }>;
  verify(version: string, signal?: AbortSignal): Promise<PublishVerification>;
}

function requireBase(version: string, candidate: boolean): void {
  const v = parseVersion(version);
  if (v.candidate !== undefined) {
    throw new ReleaseError(
      'INVALID_VERSION',
      `${version} is a candidate tag; pass the base version ${v.major}.${v.minor}.${v.patch}${candidate ? '' : ' (with --candidate for the next RC)'}`,
    );
  }
}

export function createPublishService(config: ReleaseConfig, given: PublishPorts): PublishService {
  const changelog = given.changelog ?? changelogOps;
  const ports: PublishPorts = { ...given, changelog };
  const service: PublishService = {
    config,
    async plan(version, options) {
      const candidate = options.candidate === true;
      requireBase(version, candidate);
      const obs = await observePublish(
        config,
        ports,
        version,
        candidate ? 'candidate' : 'final',
        options.signal,
        options.stage,
      );
      return (candidate ? planCandidate : planPublish)(config, obs, changelog, options);
    },
    execute(plan, options = {}) {
      return executePublish(config, plan, ports, options);
    },
    async publish(version, options) {
      const plan = await service.plan(version, options);
      return { plan, result: await executePublish(config, plan, ports, options) };
    },
    async verify(version, signal) {
      if (!ports.images) {
        throw new ReleaseError(
          'INVALID_CONFIG',
          'verify-publish needs registry access, and none was configured',
        );
      }
      return verifyPublish(
        config,
        await observePublishedImages(config, ports.images, version, signal, ports.clock?.now()),
      );
    },
  };
  return service;
}
