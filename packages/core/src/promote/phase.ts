import type { ImageObservation, Observations } from '../observations.js';
import { compareVersions, parseTag, type ReleaseVersion } from '../version.js';

/**
 * Where a release stands, derived from observations only. The order is the happy path;
 * `superseded` and `rolled-back` are the lives of a release after its promote, `abandoned` the
 * rejection path.
 *  prepared      release branch / PR exists, nothing built yet
 *  candidate     an X.Y.Z-rcN tag exists
 *  finalized     the X.Y.Z tag exists (CHANGELOG dated)
 *  published     X.Y.Z images and the draft release exist (latest untouched)
 *  smoke-passed  the downstream smoke test reported success
 *  promoted      latest names X.Y.Z's digest for every image and the release is published
 *                (its PR merged, or no longer findable)
 *  superseded    the release is published as final and latest names a newer version
 *  rolled-back   the release is published and latest names an older version (a rollback moved
 *                it back); promoting it again is a roll-forward
 *  abandoned     the PR was closed unmerged and no release was published
 */
export type Phase =
  | 'unknown'
  | 'prepared'
  | 'candidate'
  | 'finalized'
  | 'published'
  | 'smoke-passed'
  | 'promoted'
  | 'superseded'
  | 'rolled-back'
  | 'abandoned';

export const PHASES: readonly Phase[] = [
  'prepared',
  'candidate',
  'finalized',
  'published',
  'smoke-passed',
  'promoted',
  'superseded',
  'rolled-back',
  'abandoned',
];

export interface PhaseReport {
  readonly phase: Phase;
  /**
   * True when some but not all of a promote's effects are visible and nothing else (a later
   * promote, a rollback) explains them: a promote was interrupted and a re-run finishes it.
   */
  readonly promoteInProgress: boolean;
}

/** Where `latest` stands relative to this version, over every image: all the same, or mixed. */
type LatestRelation = 'here' | 'newer' | 'older' | 'other';

function latestRelation(images: readonly ImageObservation[], version: ReleaseVersion): LatestRelation {
  if (images.length === 0) return 'other';
  const each = images.map((i): LatestRelation => {
    if (i.version.state === 'found' && i.latest.state === 'found' && i.latest.digest === i.version.digest)
      return 'here';
    const at = i.latestVersion === undefined ? undefined : parseTag(i.latestVersion);
    if (at === undefined) return 'other';
    const order = compareVersions(at, version);
    return order > 0 ? 'newer' : order < 0 ? 'older' : 'other';
  });
  return each.every((r) => r === each[0]) ? each[0]! : 'other';
}

export function derivePhase(obs: Observations): PhaseReport {
  const imagesAtVersion = obs.images.every((i) => i.version.state === 'found');
  const latest = latestRelation(obs.images, obs.version);
  const published = obs.release.state === 'published';
  const finalRelease = obs.release.state === 'published' && !obs.release.prerelease;
  // A release PR that was merged, or that the PR search no longer finds (old releases), is done.
  const prSettled = obs.pullRequest.state === 'merged' || obs.pullRequest.state === 'missing';
  const settled = (phase: Phase): PhaseReport => ({ phase, promoteInProgress: false });

  if (latest === 'here' && imagesAtVersion && published && prSettled) return settled('promoted');
  if (latest === 'newer' && finalRelease) return settled('superseded');
  if (latest === 'older' && published) return settled('rolled-back');

  const effects = [
    ...obs.images.map(
      (i) =>
        i.version.state === 'found' && i.latest.state === 'found' && i.latest.digest === i.version.digest,
    ),
    published,
    obs.pullRequest.state === 'merged',
  ];
  const promoteInProgress = effects.some(Boolean) && obs.release.state !== 'missing';
  if (obs.pullRequest.state === 'closed' && !published) return settled('abandoned');
  const smokeOk = obs.smoke.state === 'published' || obs.smoke.state === 'prerelease';
  if ((obs.release.state === 'draft' || published) && imagesAtVersion) {
    return { phase: smokeOk ? 'smoke-passed' : 'published', promoteInProgress };
  }
  if (obs.versionTag.state === 'found') return { phase: 'finalized', promoteInProgress };
  if (obs.candidateTags.length > 0) return { phase: 'candidate', promoteInProgress };
  if (obs.pullRequest.state === 'open') return { phase: 'prepared', promoteInProgress };
  return { phase: 'unknown', promoteInProgress };
}
