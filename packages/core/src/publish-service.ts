import { changelogOps } from './changelog/publish-port.js';
import type { ReleaseConfig } from './config.js';
import { ReleaseError } from './errors.js';
import { executePublish, type PublishExecuteOptions, type PublishResult } from './publish/execute.js';
import { observePublish } from './publish/observe.js';
import { planCandidate, planPublish, type PublishOptions, type PublishPlan } from './publish/plan.js';
import type { PublishPorts } from './publish/ports.js';
import { observePublishedImages, verifyPublish, type PublishVerification } from './publish/verify.js';
import { baseVersion, parseVersion, type ReleaseVersion } from './version.js';

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
  /** Plans and runs; throws GATE_NOT_MET (with the gates) when a validation fails. */
  publish(
    version: string,
    options: PublishOptions & PublishExecuteOptions & { candidate?: boolean },
  ): Promise<{ plan: PublishPlan; result: PublishResult }>;
  verify(version: string, signal?: AbortSignal): Promise<PublishVerification>;
}

/** The edge: the version argument parsed once; publish takes a base version X.Y.Z. */
function requireBase(version: string, candidate: boolean): ReleaseVersion {
  const v = parseVersion(version);
  if (v.candidate !== undefined) {
    throw new ReleaseError(
      'INVALID_VERSION',
      `${version} is a candidate tag; pass the base version ${baseVersion(v).text}${candidate ? '' : ' (with --candidate for the next RC)'}`,
    );
  }
  return v;
}

export function createPublishService(config: ReleaseConfig, given: PublishPorts): PublishService {
  const changelog = given.changelog ?? changelogOps;
  const ports: PublishPorts = { ...given, changelog };
  const service: PublishService = {
    config,
    async plan(version, options) {
      const candidate = options.candidate === true;
      const obs = await observePublish(
        config,
        ports,
        requireBase(version, candidate),
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
        await observePublishedImages(config, ports.images, parseVersion(version), signal, ports.clock?.now()),
      );
    },
  };
  return service;
}
