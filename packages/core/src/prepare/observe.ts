import type { ReleaseConfig } from '../config.js';
import { releaseBranchName } from '../config.js';
import {
  settle,
  type BranchObservation,
  type ObservationError,
  type PullRequestSummary,
  type TagObservation,
} from '../observations.js';
import type { FileObservation } from '../publish/ports.js';
import { formatTag, type ReleaseVersion } from '../version.js';
import type { PreparePorts } from './ports.js';

export type PullRequestLookup = PullRequestSummary | { readonly state: 'missing' } | ObservationError;

/** What GitHub says before `prepare X.Y.Z`; every decision is a pure function of this. */
export interface PrepareObservations {
  readonly version: ReleaseVersion;
  readonly observedAt: string;
  /** The integration branch (gitflow: dev), where the CHANGELOG is frozen. */
  readonly integration: BranchObservation;
  /** The CHANGELOG at the integration branch's head. */
  readonly changelog: FileObservation;
  /** release/X.Y.Z (it exists only when an earlier prepare got that far). */
  readonly releaseBranch: BranchObservation;
  /** The CHANGELOG at the release branch's head, when it exists. */
  readonly releaseChangelog?: FileObservation | undefined;
  readonly versionTag: TagObservation;
  /** Every tag with the tag prefix (for the latest release). */
  readonly tags: readonly string[] | ObservationError;
  /** The release PR release/X.Y.Z → base branch. */
  readonly pullRequest: PullRequestLookup;
}

const fileAt = (
  ports: PreparePorts,
  path: string,
  branch: BranchObservation,
  signal?: AbortSignal,
): Promise<FileObservation> =>
  branch.state === 'found'
    ? settle<FileObservation>(ports.forge.readFile(path, branch.sha, signal), (e) => e)
    : Promise.resolve(branch.state === 'missing' ? { state: 'missing', path, ref: branch.branch } : branch);

/** Observes what a prepare needs, concurrently; never throws for what the world says. */
export async function observePrepare(
  config: ReleaseConfig,
  ports: PreparePorts,
  version: ReleaseVersion,
  signal?: AbortSignal,
): Promise<PrepareObservations> {
  const { forge } = ports;
  const tag = formatTag(version, config.tagPrefix);
  const branchName = releaseBranchName(config, version);
  const now = ports.clock?.now() ?? new Date();
  const [integration, releaseBranch, versionTag, tags, pullRequest] = await Promise.all([
    settle<BranchObservation>(forge.observeBranch(config.integrationBranch, signal), (e) => e),
    settle<BranchObservation>(forge.observeBranch(branchName, signal), (e) => e),
    settle<TagObservation>(forge.observeTag(tag, signal), (e) => e),
    settle<readonly string[] | ObservationError>(forge.listTags(config.tagPrefix, signal), (e) => e),
    settle<PullRequestLookup>(forge.findPullRequest(branchName, config.baseBranch, signal), (e) => e),
  ]);
  const [changelog, releaseChangelog] = await Promise.all([
    fileAt(ports, config.changelog, integration, signal),
    releaseBranch.state === 'found'
      ? fileAt(ports, config.changelog, releaseBranch, signal)
      : Promise.resolve(undefined),
  ]);
  return {
    version,
    observedAt: now.toISOString(),
    integration,
    changelog,
    releaseBranch,
    releaseChangelog,
    versionTag,
    tags,
    pullRequest,
  };
}
