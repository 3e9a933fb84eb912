import { ReleaseError } from './errors.js';

/** A release version as relkit uses it: strict X.Y.Z with an optional `-rcN` candidate suffix. */
export interface ReleaseVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The N of `-rcN`, or undefined for a final version. */
  readonly candidate: number | undefined;
  /** The canonical text, without any tag prefix: `1.2.3` or `1.2.3-rc2`. */
  readonly text: string;
}

const VERSION_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-rc(0|[1-9]\d*))?$/;

/**
 * Parses `X.Y.Z` or `X.Y.Z-rcN`, with an optional tag prefix (`v1.2.3` when prefix is `v`).
 * Anything else (build metadata, other prerelease labels, leading zeros) is refused, because a
 * release tag that two tools read differently is how `latest` ends up on the wrong image.
 */
export function parseVersion(input: string, tagPrefix = ''): ReleaseVersion {
  const raw = tagPrefix && input.startsWith(tagPrefix) ? input.slice(tagPrefix.length) : input;
  const m = VERSION_RE.exec(raw);
  if (!m) {
    throw new ReleaseError(
      'INVALID_VERSION',
      `"${input}" is not a release version: expected X.Y.Z or X.Y.Z-rcN${tagPrefix ? ` (optionally prefixed with "${tagPrefix}")` : ''}`,
    );
  }
  const candidate = m[4] === undefined ? undefined : Number(m[4]);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), candidate, text: raw };
}

export function isCandidate(v: ReleaseVersion): boolean {
  return v.candidate !== undefined;
}

/** The final version a candidate leads to: `1.2.3-rc4` → `1.2.3`. */
export function baseVersion(v: ReleaseVersion): ReleaseVersion {
  return parseVersion(`${v.major}.${v.minor}.${v.patch}`);
}

/**
 * Release order: negative when a < b, 0 when equal, positive when a > b. A candidate sorts before
 * its final, and candidates compare by number (semver's string rule would put rc10 before rc2).
 */
export function compareVersions(a: ReleaseVersion, b: ReleaseVersion): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    a.patch - b.patch ||
    (a.candidate ?? Number.POSITIVE_INFINITY) - (b.candidate ?? Number.POSITIVE_INFINITY) ||
    0
  );
}

export function formatTag(v: ReleaseVersion, tagPrefix = ''): string {
  return `${tagPrefix}${v.text}`;
}

/**
 * The next release candidate for `base` given the tags that exist: one more than the highest
 * `-rcN` of that base. A tag that starts like a candidate of this base but does not parse is an
 * error, not something to skip: the origin shipped a wrong RC number that way.
 */
export function nextCandidate(
  base: ReleaseVersion,
  existingTags: readonly string[],
  tagPrefix = '',
): ReleaseVersion {
  if (isCandidate(base)) {
    throw new ReleaseError('INVALID_VERSION', `nextCandidate needs a final version, got ${base.text}`);
  }
  const stem = `${tagPrefix}${base.text}-rc`;
  let highest = 0;
  for (const tag of existingTags) {
    if (!tag.startsWith(stem)) continue;
    const v = parseVersion(tag, tagPrefix);
    highest = Math.max(highest, v.candidate ?? 0);
  }
  return parseVersion(`${base.text}-rc${highest + 1}`);
}

/** Floating tags a promote may move: `vX` and `vX.Y` (with the tag prefix). */
export function floatingTags(v: ReleaseVersion, tagPrefix = ''): [string, string] {
  return [`${tagPrefix}${v.major}`, `${tagPrefix}${v.major}.${v.minor}`];
}
