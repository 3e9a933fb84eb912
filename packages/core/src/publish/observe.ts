import type { ReleaseConfig } from '../config.js';
import { releaseBranchName } from '../config.js';
import {
  settle,
  type GitHubReleaseObservation,
  type ObservationError,
  type PullRequestObservation,
  type SmokeObservation,
  type TagObservation,
} from '../observations.js';
import { candidateTagsOf, formatTag, type ReleaseVersion } from '../version.js';
import type { PublishStage } from './plan.js';
import type { BranchObservation, FileObservation, PublishPorts } from './ports.js';

export type PublishKind = 'final' | 'candidate';

/** What GitHub says about one version before a publish; every decision is a function of this. */
export interface PublishObservations {
  /** The version, parsed at the edge (its JSON is the text); the plan's gates judge it. */
  readonly version: ReleaseVersion;
  readonly kind: PublishKind;
  readonly observedAt: string;
  /** The release branch, e.g. release/1.2.3. */
  readonly branch: BranchObservation;
  /** The CHANGELOG at the branch head. */
  readonly changelog: FileObservation;
  readonly pullRequest: PullRequestObservation;
  /** Every tag starting with `<prefix>X.Y.Z-rc`, unfiltered (malformed ones are an error). */
  readonly candidateTagList: readonly string[] | ObservationError;
  /** The newest candidate tag, resolved (candidate runs resume a tag already at the head). */
  readonly newestCandidate?: TagObservation | undefined;
  /** The X.Y.Z tag. */
  readonly versionTag: TagObservation;
  /** The CHANGELOG at the X.Y.Z tag, when the tag exists and is not at the branch head. */
  readonly changelogAtTag?: FileObservation | undefined;
  /** The GitHub release of X.Y.Z (drafts included). */
  readonly release: GitHubReleaseObservation;
  /** The downstream smoke release for the tag being published, when a smoke test is configured. */
  readonly smoke: SmokeObservation;
}

/**
 * Observes, through the ports and concurrently where possible, what a publish of `version`
 * needs to decide. Never throws for what the world says: errors are observations.
 */
export async function observePublish(
  config: ReleaseConfig,
  ports: PublishPorts,
  version: ReleaseVersion,
  kind: PublishKind,
  signal?: AbortSignal,
  stage: PublishStage = 'all',
): Promise<PublishObservations> {
  const { forge } = ports;
  // Announcing a final release needs only its tag and draft: the branch checks were the first half's.
  const announceOnly = kind === 'final' && stage === 'smoke';
  const skipped = <T>(): Promise<T | ObservationError> =>
    Promise.resolve({
      state: 'error',
      code: 'NOT_OBSERVED',
      message: 'not needed to announce a release',
      transient: false,
    });
  const tag = formatTag(version, config.tagPrefix);
  const branchName = releaseBranchName(config, version);
  const now = ports.clock?.now() ?? new Date();
  const [branch, pullRequest, candidateTagList, versionTag, release] = await Promise.all([
    settle<BranchObservation>(forge.observeBranch(branchName, signal), (e) => e),
    announceOnly
      ? skipped<PullRequestObservation>()
      : settle<PullRequestObservation>(
          forge.observePullRequest(branchName, config.baseBranch, signal),
          (e) => e,
        ),
    announceOnly
      ? skipped<readonly string[]>()
      : settle<readonly string[] | ObservationError>(forge.listTags(`${tag}-rc`, signal), (e) => e),
    settle<TagObservation>(forge.observeTag(tag, signal), (e) => e),
    settle<GitHubReleaseObservation>(forge.observeRelease(tag, signal), (e) => e),
  ]);
  // Read at the head's sha, not the branch name: the plan then describes exactly that commit.
  const changelog: FileObservation =
    branch.state === 'found'
      ? await settle<FileObservation>(forge.readFile(config.changelog, branch.sha, signal), (e) => e)
      : branch.state === 'missing'
        ? { state: 'missing', path: config.changelog, ref: branchName }
        : branch;
  let changelogAtTag: FileObservation | undefined;
  if (
    kind === 'final' &&
    versionTag.state === 'found' &&
    !(branch.state === 'found' && branch.sha === versionTag.sha)
  ) {
    changelogAtTag = await settle<FileObservation>(
      forge.readFile(config.changelog, versionTag.sha, signal),
      (e) => e,
    );
  }
  let newestCandidate: TagObservation | undefined;
  if (kind === 'candidate' && Array.isArray(candidateTagList)) {
    const newest = candidateTagsOf(version, candidateTagList as readonly string[], config.tagPrefix).at(
      -1,
    )?.tag;
    if (newest) newestCandidate = await settle<TagObservation>(forge.observeTag(newest, signal), (e) => e);
  }
  let smoke: SmokeObservation = { state: 'not-configured' };
  if (config.smoke) {
    // The smoke release is keyed by the tag being published: for a candidate that is the next
    // RC, which only the plan knows; a candidate dispatch is never skipped, so observe it for finals.
    smoke =
      kind === 'final' ? await settle<SmokeObservation>(forge.observeSmoke(tag, signal), (e) => e) : smoke;
  }
  return {
    version,
    kind,
    observedAt: now.toISOString(),
    branch,
    changelog,
    pullRequest,
    candidateTagList,
    newestCandidate,
    versionTag,
    changelogAtTag,
    release,
    smoke,
  };
}
