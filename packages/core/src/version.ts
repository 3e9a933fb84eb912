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
  /** The text: a version reads as itself in messages and JSON (`status --json` shows "1.2.3"). */
  toString(): string;
  toJSON(): string;
}

/** Shared by every parsed version; not enumerable, so a version compares and spreads as data. */
const VERSION_PROTO = {
  toString(this: ReleaseVersion): string {
    return this.text;
  },
  toJSON(this: ReleaseVersion): string {
    return this.text;
  },
};

const VERSION_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-rc(0|[1-9]\d*))?$/;

/**
 * Parses `X.Y.Z` or `X.Y.Z-rcN`, with an optional tag prefix (`v1.2.3` when prefix is `v`).
 * Anything else (build metadata, other prerelease labels, leading zeros) is refused, because a
 * release tag that two tools read differently is how `latest` ends up on the wrong image.
 */
export function parseVersion(input: string, tagPrefix = ''): ReleaseVersion {
  const raw = tagPrefix && input.startsWith(tagPrefix) ? input.slice(tagPrefix.length) : input;
  const m = VERSION_RE.exec(raw);
  // A number past 2^53 compares wrongly (and 1000 digits is Infinity): refused, not rounded.
  if (m && m.slice(1).some((n) => n !== undefined && !Number.isSafeInteger(Number(n)))) {
    throw new ReleaseError(
      'INVALID_VERSION',
      `"${input.length > 60 ? `${input.slice(0, 60)}…` : input}" is not a release version: a number in it is larger than ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  if (!m) {
    throw new ReleaseError(
      'INVALID_VERSION',
      `"${input}" is not a release version: expected X.Y.Z or X.Y.Z-rcN${tagPrefix ? ` (optionally prefixed with "${tagPrefix}")` : ''}`,
    );
  }
  const candidate = m[4] === undefined ? undefined : Number(m[4]);
  return Object.assign(Object.create(VERSION_PROTO) as ReleaseVersion, {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    candidate,
    text: raw,
  });
}

/**
 * Reads a git or image tag as a release version: `<tagPrefix>X.Y.Z[-rcN]`. Returns undefined
 * for any other tag (a tag list holds many tags that are not releases; skipping them is the
 * normal case, unlike parseVersion's input, which the user meant as a version).
 */
export function parseTag(tag: string, tagPrefix = ''): ReleaseVersion | undefined {
  if (!tag.startsWith(tagPrefix)) return undefined;
  const raw = tag.slice(tagPrefix.length);
  if (!VERSION_RE.test(raw)) return undefined;
  try {
    return parseVersion(raw);
  } catch {
    return undefined; // a number too large to compare: not one of our release tags
  }
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

/** The tag of a version: `<tagPrefix>X.Y.Z[-rcN]`; parseTag reads it back. */
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
  const stem = `${formatTag(base, tagPrefix)}-rc`;
  let highest = 0;
  for (const tag of existingTags) {
    if (!tag.startsWith(stem)) continue;
    const v = parseTag(tag, tagPrefix);
    if (!v) parseVersion(tag, tagPrefix); // throws INVALID_VERSION naming the tag
    highest = Math.max(highest, v?.candidate ?? 0);
  }
  return parseVersion(`${base.text}-rc${highest + 1}`);
}

/**
 * Candidate tags of `base` among `tags` (`<prefix>X.Y.Z-rcN`), oldest first; other tags are
 * skipped. The one reading of "which RCs exist" for observe and publish.
 */
export function candidateTagsOf(
  base: ReleaseVersion,
  tags: readonly string[],
  tagPrefix = '',
): { readonly tag: string; readonly version: ReleaseVersion }[] {
  return tags
    .map((tag) => ({ tag, version: parseTag(tag, tagPrefix) }))
    .filter(
      (c): c is { tag: string; version: ReleaseVersion } =>
        c.version !== undefined && c.version.candidate !== undefined && sameBase(c.version, base),
    )
    .sort((a, b) => compareVersions(a.version, b.version));
}

function sameBase(a: ReleaseVersion, b: ReleaseVersion): boolean {
  return a.major === b.major && a.minor === b.minor && a.patch === b.patch;
}

/** Final versions among tags (`<prefix>X.Y.Z`), newest first; candidates and other tags skipped. */
export function finalVersionsOf(tags: readonly string[], tagPrefix = ''): ReleaseVersion[] {
  return tags
    .map((t) => parseTag(t, tagPrefix))
    .filter((v): v is ReleaseVersion => v !== undefined && v.candidate === undefined)
    .sort((a, b) => compareVersions(b, a));
}

/** Floating tags a promote may move: `vX` and `vX.Y` (with the tag prefix). */
export function floatingTags(v: ReleaseVersion, tagPrefix = ''): [string, string] {
  return [`${tagPrefix}${v.major}`, `${tagPrefix}${v.major}.${v.minor}`];
}
