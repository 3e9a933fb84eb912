// Which package versions an RC clean-up deletes. Pure: the caller lists the versions (GitHub
// Packages API) and resolves the images that must survive; this decides, and says why for each
// version it touches or spares.
import type { PackageVersion } from '../ports.js';

/** An image that must survive the clean-up: its digest and, for an index, its platform manifests. */
export interface KeptImage {
  /** What it is, for the reasons: `1.2.3`, `latest`. */
  readonly name: string;
  readonly digest: string;
  /** Digests of an index's platform manifests (separate package versions on GHCR). */
  readonly children: readonly string[];
}

export interface CleanupSelectionInput {
  readonly versions: readonly PackageVersion[];
  /** The RC image tags to clean (X.Y.Z-rcN, and per-platform X.Y.Z-rcN-amd64 where a build pushes them). */
  readonly candidateTags: readonly string[];
  /** Platform manifests of each RC index, by the index digest (deleted with it unless kept). */
  readonly candidateChildren?: ReadonlyMap<string, readonly string[]>;
  /** X.Y.Z and latest (and anything else that must stay). */
  readonly keep: readonly KeptImage[];
}

/** Why a version is deleted. */
export type DeleteReason = 'candidate' | 'candidate-platform' | 'candidate-signature';

export interface VersionDecision {
  readonly version: PackageVersion;
  readonly reason: string;
}

export interface DeleteDecision extends VersionDecision {
  readonly why: DeleteReason;
}

export interface CleanupSelection {
  /** Versions to delete, RC images first, then their platform manifests, then their signatures. */
  readonly delete: readonly DeleteDecision[];
  /** Every other version, each with the reason it stays (X.Y.Z, latest, their platform manifests first). */
  readonly keep: readonly VersionDecision[];
}

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/**
 * A cosign / OCI-referrers fallback tag of a digest: `sha256-<hex>` with an optional suffix
 * (`.sig`, `.att`, `.sbom`). Returns the digest it belongs to.
 */
export function signatureTagSubject(tag: string): string | undefined {
  const m = /^sha256-([0-9a-f]{64})(?:\.[a-z]+)?$/.exec(tag);
  return m ? `sha256:${m[1]}` : undefined;
}

/**
 * The versions an RC clean-up deletes: versions whose digest an RC tag names (or a platform
 * manifest of such an index, or a version holding only signature tags of one), unless the digest
 * is also a kept image's (X.Y.Z, latest) or one of their platform manifests — deleting a
 * platform manifest breaks every index that lists it — or the version carries a tag that is
 * neither an RC tag nor a signature tag (deleting a version deletes all its tags).
 */
export function selectCandidateVersions(input: CleanupSelectionInput): CleanupSelection {
  const rcTags = new Set(input.candidateTags);
  const kept = new Map<string, string>();
  for (const k of input.keep) {
    const already = kept.get(k.digest);
    kept.set(k.digest, already && !already.startsWith('a platform') ? `${already} and ${k.name}` : k.name);
    for (const c of k.children) if (!kept.has(c)) kept.set(c, `a platform manifest of ${k.name}`);
  }

  const del: DeleteDecision[] = [];
  const keep: VersionDecision[] = [];
  const seen = new Set<number>();
  const decide = (v: PackageVersion, why: DeleteReason, what: string) => {
    if (seen.has(v.id)) return;
    seen.add(v.id);
    const keptAs = kept.get(v.digest);
    if (keptAs !== undefined) {
      keep.push({ version: v, reason: `${what}, but its digest ${short(v.digest)} is also ${keptAs}` });
      return;
    }
    const others = v.tags.filter((t) => !rcTags.has(t) && signatureTagSubject(t) === undefined);
    if (others.length > 0) {
      keep.push({
        version: v,
        reason: `${what}, but it is also tagged ${others.join(', ')} (deleting it would delete those tags)`,
      });
      return;
    }
    del.push({ version: v, why, reason: what });
  };

  const byDigest = new Map<string, PackageVersion[]>();
  for (const v of input.versions) byDigest.set(v.digest, [...(byDigest.get(v.digest) ?? []), v]);

  // 1. The RC images themselves.
  for (const v of input.versions) {
    const tags = v.tags.filter((t) => rcTags.has(t));
    if (tags.length === 0) continue;
    decide(v, 'candidate', `RC image ${tags.join(', ')} (${short(v.digest)})`);
  }
  // Only what is really deleted drags its platform manifests and signatures along: an RC that
  // is X.Y.Z's digest (a retag) or carries another tag keeps them.
  const deleted = () => new Set(del.map((d) => d.version.digest));
  // 2. Their platform manifests (untagged versions of their own on GHCR).
  const childOf = new Map<string, string>();
  for (const d of deleted())
    for (const c of input.candidateChildren?.get(d) ?? []) if (!childOf.has(c)) childOf.set(c, d);
  for (const [child, index] of childOf)
    for (const v of byDigest.get(child) ?? [])
      decide(v, 'candidate-platform', `platform manifest ${short(child)} of RC index ${short(index)}`);
  // 3. Signatures and attestations stored under fallback tags of a deleted digest.
  const removed = deleted();
  for (const v of input.versions) {
    if (v.tags.length === 0) continue;
    const subjects = v.tags.map(signatureTagSubject);
    if (!subjects.every((s) => s !== undefined && removed.has(s))) continue;
    decide(
      v,
      'candidate-signature',
      `signature/attestation ${v.tags.join(', ')} of RC ${short(subjects[0]!)}`,
    );
  }
  // Everything else stays too; say why, so a dry run accounts for every version.
  for (const v of input.versions) {
    if (seen.has(v.id)) continue;
    const keptAs = kept.get(v.digest);
    const reason =
      keptAs !== undefined
        ? `it is ${keptAs}`
        : v.tags.length > 0
          ? `not an RC of this version (${v.tags.join(', ')})`
          : 'untagged, and not a platform manifest of a deleted RC';
    keep.push({ version: v, reason });
  }
  return { delete: del, keep };
}
