import type { Observations } from '../observations.js';
import { compareVersions, parseVersion } from '../version.js';

/**
 * Where a release stands. The order is the happy path; `abandoned` is the rejection path.
 *  prepared      release branch / PR exists, nothing built yet
 *  candidate     an X.Y.Z-rcN tag exists
 *  finalized     the X.Y.Z tag exists (CHANGELOG dated)
 *  published     X.Y.Z images and the draft release exist (latest untouched)
 *  smoke-passed  the downstream smoke test reported success
 *  promoted      latest is X.Y.Z everywhere, the release is published and the PR merged
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
  | 'abandoned';

export const PHASES: readonly Phase[] = [
  'prepared',
  'candidate',
  'finalized',
  'published',
  'smoke-passed',
  'promoted',
  'abandoned',
];

export interface PhaseReport {
  readonly phase: Phase;
  /** True when some but not all promote effects are visible: a promote was interrupted. */
  readonly promoteInProgress: boolean;
}

export function derivePhase(obs: Observations): PhaseReport {
  const imagesAtVersion = obs.images.every((i) => i.version.state === 'found');
  const latestMoved = obs.images.map(
    (i) => i.version.state === 'found' && i.latest.state === 'found' && i.latest.digest === i.version.digest,
  );
  const published = obs.release.state === 'published';
  const merged = obs.pullRequest.state === 'merged';
  const effects = [...latestMoved, published, merged];
  const done = effects.filter(Boolean).length;
  if (done === effects.length && imagesAtVersion) return { phase: 'promoted', promoteInProgress: false };
  // An earlier release that a newer one has since replaced as latest: it was promoted. (Its
  // release PR may be long gone from the PR search, so "missing" counts as done here.)
  const superseded =
    obs.images.length > 0 &&
    obs.images.every((i) => i.latestVersion !== undefined && newer(i.latestVersion, obs.version.text));
  if (superseded && published && obs.pullRequest.state !== 'open') {
    return { phase: 'promoted', promoteInProgress: false };
  }
  const promoteInProgress = done > 0 && obs.release.state !== 'missing';
  if (obs.pullRequest.state === 'closed' && !published)
    return { phase: 'abandoned', promoteInProgress: false };
  const smokeOk =
    obs.smoke.state === 'not-configured' ||
    obs.smoke.state === 'published' ||
    obs.smoke.state === 'prerelease';
  if ((obs.release.state === 'draft' || published) && imagesAtVersion) {
    return {
      phase: smokeOk && obs.smoke.state !== 'not-configured' ? 'smoke-passed' : 'published',
      promoteInProgress,
    };
  }
  if (obs.versionTag.state === 'found') return { phase: 'finalized', promoteInProgress };
  if (obs.candidateTags.length > 0) return { phase: 'candidate', promoteInProgress };
  if (obs.pullRequest.state === 'open') return { phase: 'prepared', promoteInProgress };
  return { phase: 'unknown', promoteInProgress };
}

function newer(a: string, b: string): boolean {
  try {
    return compareVersions(parseVersion(a), parseVersion(b)) > 0;
  } catch {
    return false;
  }
}
