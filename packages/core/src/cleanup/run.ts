// The RC clean-up after a promote: observe through the ports, decide with selectCandidateVersions,
// delete (unless a dry run), and report what was deleted and why everything else stayed.
import type { ReleaseConfig } from '../config.js';
import { ReleaseError } from '../errors.js';
import type { ManifestObservation } from '../observations.js';
import type { PackageVersion, ReleasePorts } from '../ports.js';
import { candidateTagsOf, formatTag, parseVersion, type ReleaseVersion } from '../version.js';
import { cleanupRoute, UNSUPPORTED_DELETE_WAY_OUT, type CleanupRoute } from './route.js';
import {
  selectCandidateVersions,
  type DeleteDecision,
  type KeptImage,
  type VersionDecision,
} from './select.js';

export interface CleanupOptions {
  /** Decide and report only; nothing is deleted. */
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

export interface CleanupFailure {
  readonly code: string;
  readonly message: string;
}

/** The clean-up of one image. */
export interface ImageCleanup {
  readonly image: string;
  readonly route: CleanupRoute;
  /** The RC image tags found (X.Y.Z-rcN, per-platform X.Y.Z-rcN-<arch>). */
  readonly candidateTags: readonly string[];
  readonly delete: readonly DeleteDecision[];
  readonly keep: readonly VersionDecision[];
  /** Ids (packages-api) or digests (registry) deleted; empty for a dry run. */
  readonly deleted: readonly (number | string)[];
  /** Deletes that failed, and RC tags still there afterwards. */
  readonly failures: readonly (CleanupFailure & { readonly subject: string })[];
  /** Set when the image could not be cleaned at all (nothing deleted). */
  readonly error?: CleanupFailure | undefined;
}

/** An RC git tag or draft pre-release (config cleanup.gitTags / cleanup.draftReleases). */
export interface RefCleanup {
  readonly kind: 'draft-release' | 'git-tag';
  readonly tag: string;
  readonly action: 'delete' | 'keep';
  readonly reason: string;
  /** After a real run: deleted, or the failure. */
  readonly done?: boolean;
  readonly error?: CleanupFailure | undefined;
}

export interface CleanupReport {
  readonly version: string;
  readonly dryRun: boolean;
  readonly images: readonly ImageCleanup[];
  readonly refs: readonly RefCleanup[];
  readonly status: 'succeeded' | 'failed';
}

const failureOf = (e: unknown): CleanupFailure => {
  const code = (e as { code?: unknown }).code;
  return {
    code: typeof code === 'string' ? code : 'FAILED',
    message: e instanceof Error ? e.message : String(e),
  };
};

/** The RC image tags of a version among an image's tags: X.Y.Z-rcN and X.Y.Z-rcN-<platform>. */
export function candidateImageTags(version: ReleaseVersion, tags: readonly string[]): string[] {
  const rc = new Set(candidateTagsOf(version, tags).map((c) => c.tag));
  const perPlatform = tags.filter((t) => {
    const m = /^(.+-rc\d+)-[A-Za-z0-9_]+$/.exec(t);
    return m !== null && candidateTagsOf(version, [m[1]!]).length === 1;
  });
  return [...rc, ...perPlatform].sort();
}

const found = (m: ManifestObservation, what: string, image: string) => {
  if (m.state === 'error')
    throw new ReleaseError('PLAN_FAILED', `could not read ${image}:${what} (${m.code}): ${m.message}`);
  return m.state === 'found' ? m : undefined;
};

/** X.Y.Z and latest with their platform manifests: what must survive, read fresh. */
async function keptImages(
  ports: ReleasePorts,
  image: string,
  version: ReleaseVersion,
  signal?: AbortSignal,
): Promise<KeptImage[]> {
  const v = formatTag(version);
  const [final, latest] = await Promise.all([
    ports.registry.observeManifest(image, v, signal),
    ports.registry.observeManifest(image, 'latest', signal),
  ]);
  const f = found(final, v, image);
  if (!f)
    throw new ReleaseError(
      'PLAN_FAILED',
      `${image}:${v} is not in the registry: the RC clean-up runs after publish and promote, never before (it would delete the only image of ${v})`,
    );
  const l = found(latest, 'latest', image);
  const kept: KeptImage[] = [{ name: v, digest: f.digest, children: f.platforms.map((p) => p.digest) }];
  if (l) kept.push({ name: 'latest', digest: l.digest, children: l.platforms.map((p) => p.digest) });
  return kept;
}

/** Platform manifests of each RC index (they are package versions of their own on GHCR). */
async function candidateChildren(
  ports: ReleasePorts,
  image: string,
  digests: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, readonly string[]>> {
  const out = new Map<string, readonly string[]>();
  await Promise.all(
    [...new Set(digests)].map(async (d) => {
      const m = found(await ports.registry.observeManifest(image, d, signal), d, image);
      if (m)
        out.set(
          d,
          m.platforms.map((p) => p.digest),
        );
    }),
  );
  return out;
}

/**
 * One image through the GitHub Packages API: list the package's versions, keep X.Y.Z's and
 * latest's (with their platform manifests), delete the RC ones, then list again to prove no RC
 * tag is left.
 */
async function cleanupViaPackages(
  ports: ReleasePorts,
  image: string,
  version: ReleaseVersion,
  options: CleanupOptions,
): Promise<ImageCleanup> {
  const { signal } = options;
  const packages = ports.packages;
  if (!packages)
    throw new ReleaseError(
      'PLAN_FAILED',
      `the GitHub Packages API is not connected, so ${image} cannot be cleaned through it`,
    );
  const [versions, keep] = await Promise.all([
    packages.listVersions(image, signal),
    keptImages(ports, image, version, signal),
  ]);
  const candidateTags = candidateImageTags(
    version,
    versions.flatMap((v) => v.tags),
  );
  const rcDigests = versions
    .filter((v) => v.tags.some((t) => candidateTags.includes(t)))
    .map((v) => v.digest);
  const children = await candidateChildren(ports, image, rcDigests, signal);
  const selection = selectCandidateVersions({
    versions,
    candidateTags,
    candidateChildren: children,
    keep,
  });
  const base = { image, route: 'packages-api' as const, candidateTags, ...selection };
  if (options.dryRun) return { ...base, deleted: [], failures: [] };
  const deleted: number[] = [];
  const failures: (CleanupFailure & { subject: string })[] = [];
  // Indexes before their platform manifests: an index never names a deleted child meanwhile.
  for (const d of selection.delete) {
    try {
      await packages.deleteVersion(image, d.version.id, signal);
      deleted.push(d.version.id);
    } catch (e) {
      failures.push({ subject: `version ${d.version.id} (${d.version.digest})`, ...failureOf(e) });
    }
  }
  // Read back: a delete that "succeeded" but left an RC tag is the origin's #583.
  const after = await packages.listVersions(image, signal);
  const spared = new Set(selection.keep.flatMap((k) => k.version.tags));
  // (a kept version's RC tags stay with it: X.Y.Z retagged from an RC keeps that RC's tag)
  const left = after.flatMap((v) => v.tags).filter((t) => candidateTags.includes(t) && !spared.has(t));
  if (left.length > 0)
    failures.push({
      subject: image,
      code: 'VERIFICATION_FAILED',
      message: `RC tags still present after the clean-up: ${left.join(', ')}`,
    });
  return { ...base, deleted, failures };
}

/**
 * One image through the registry's OCI API (a registry with deletes enabled): the RC tags'
 * digests, the same decision, a manifest DELETE each (platform manifests are left to the
 * registry's garbage collection). A 405 UNSUPPORTED (ghcr.io) is reported with the way out.
 */
async function cleanupViaRegistry(
  ports: ReleasePorts,
  image: string,
  version: ReleaseVersion,
  options: CleanupOptions,
): Promise<ImageCleanup> {
  const { signal } = options;
  const [tags, keep] = await Promise.all([
    ports.registry.listTags(image, signal),
    keptImages(ports, image, version, signal),
  ]);
  const candidateTags = candidateImageTags(version, tags);
  const manifests = await Promise.all(
    candidateTags.map(async (t) => found(await ports.registry.observeManifest(image, t, signal), t, image)),
  );
  // The registry has no version ids: one pseudo-version per digest, numbered in order.
  const byDigest = new Map<string, string[]>();
  candidateTags.forEach((t, i) => {
    const m = manifests[i];
    if (m) byDigest.set(m.digest, [...(byDigest.get(m.digest) ?? []), t]);
  });
  const versions: PackageVersion[] = [...byDigest].map(([digest, ts], i) => ({
    id: i + 1,
    digest,
    tags: ts,
  }));
  const selection = selectCandidateVersions({ versions, candidateTags, keep });
  const base = { image, route: 'registry' as const, candidateTags, ...selection };
  if (options.dryRun) return { ...base, deleted: [], failures: [] };
  const deleted: string[] = [];
  const failures: (CleanupFailure & { subject: string })[] = [];
  for (const d of selection.delete) {
    try {
      const sigTags = (await ports.signatures.signatureTags?.(image, d.version.digest, signal)) ?? [];
      for (const t of sigTags) {
        const m = found(await ports.registry.observeManifest(image, t, signal), t, image);
        if (m) await ports.registry.deleteManifest(image, m.digest, signal);
      }
      await ports.registry.deleteManifest(image, d.version.digest, signal);
      deleted.push(d.version.digest);
    } catch (e) {
      const f = failureOf(e);
      if (f.code === 'UNSUPPORTED') {
        // Every other delete would be refused the same way: report once, with the way out.
        return {
          ...base,
          deleted,
          failures,
          error: { code: 'UNSUPPORTED', message: `${f.message}; ${UNSUPPORTED_DELETE_WAY_OUT}` },
        };
      }
      failures.push({ subject: `${image}@${d.version.digest}`, ...f });
    }
  }
  return { ...base, deleted, failures };
}

/** The RC image clean-up of one image, by the route the config picks for it. */
export async function cleanupImage(
  config: Pick<ReleaseConfig, 'cleanup'>,
  ports: ReleasePorts,
  image: string,
  version: ReleaseVersion,
  options: CleanupOptions = {},
): Promise<ImageCleanup> {
  const route = cleanupRoute(config, image);
  try {
    return route === 'packages-api'
      ? await cleanupViaPackages(ports, image, version, options)
      : await cleanupViaRegistry(ports, image, version, options);
  } catch (e) {
    return {
      image,
      route,
      candidateTags: [],
      delete: [],
      keep: [],
      deleted: [],
      failures: [],
      error: failureOf(e),
    };
  }
}

/**
 * RC draft pre-releases and RC git tags (each behind its config switch). Drafts go first, so a
 * tag whose draft was just deleted can go too; a tag with a published release is never touched.
 */
async function cleanupRefs(
  config: ReleaseConfig,
  ports: ReleasePorts,
  version: ReleaseVersion,
  options: CleanupOptions,
): Promise<RefCleanup[]> {
  const { draftReleases, gitTags } = config.cleanup;
  if (!draftReleases && !gitTags) return [];
  const { forge } = ports;
  const { signal } = options;
  const prefix = config.tagPrefix;
  const tags = candidateTagsOf(
    version,
    await forge.listTags(`${prefix}${formatTag(version)}-rc`, signal),
    prefix,
  ).map((c) => c.tag);
  const out: RefCleanup[] = [];
  for (const tag of tags) {
    const release = await forge.observeRelease(tag, signal);
    if (release.state === 'error') {
      out.push({ kind: 'draft-release', tag, action: 'keep', reason: `could not look: ${release.message}` });
      continue;
    }
    let hasRelease = release.state !== 'missing';
    if (release.state === 'published') {
      if (draftReleases)
        out.push({
          kind: 'draft-release',
          tag,
          action: 'keep',
          reason: 'a published pre-release is never deleted (GitHub burns its tag)',
        });
    } else if (release.state === 'draft' && draftReleases) {
      const entry = {
        kind: 'draft-release' as const,
        tag,
        action: 'delete' as const,
        reason: 'RC draft pre-release',
      };
      if (options.dryRun) {
        out.push(entry);
        hasRelease = false;
      } else {
        try {
          await forge.deleteDraftRelease(tag, signal);
          out.push({ ...entry, done: true });
          hasRelease = false;
        } catch (e) {
          out.push({ ...entry, done: false, error: failureOf(e) });
        }
      }
    }
    if (!gitTags) continue;
    if (hasRelease) {
      out.push({
        kind: 'git-tag',
        tag,
        action: 'keep',
        reason: `it has a ${release.state === 'published' ? 'published' : 'draft'} release`,
      });
      continue;
    }
    const entry = {
      kind: 'git-tag' as const,
      tag,
      action: 'delete' as const,
      reason: 'RC git tag without a release',
    };
    if (options.dryRun) out.push(entry);
    else {
      try {
        await forge.deleteTag(tag, signal);
        out.push({ ...entry, done: true });
      } catch (e) {
        out.push({ ...entry, done: false, error: failureOf(e) });
      }
    }
  }
  return out;
}

/**
 * The RC clean-up of a final version: every image by its route (the GitHub Packages API for
 * ghcr.io), then RC draft pre-releases and git tags where the config asks for them.
 */
export async function cleanupRelease(
  config: ReleaseConfig,
  ports: ReleasePorts,
  version: ReleaseVersion,
  options: CleanupOptions = {},
): Promise<CleanupReport> {
  if (version.candidate !== undefined)
    throw new ReleaseError(
      'INVALID_ARGUMENT',
      `${version.text} is a release candidate: clean-up takes the final version whose RCs it removes`,
    );
  const images = await Promise.all(
    config.images.map((i) => cleanupImage(config, ports, i.name, version, options)),
  );
  const refs = await cleanupRefs(config, ports, version, options);
  const failed =
    images.some((i) => i.error !== undefined || i.failures.length > 0) ||
    refs.some((r) => r.error !== undefined);
  return {
    version: version.text,
    dryRun: options.dryRun ?? false,
    images,
    refs,
    status: failed ? 'failed' : 'succeeded',
  };
}

/** The RC clean-up as front ends call it (release-cli cleanup, the Action's `cleanup` command). */
export interface CleanupService {
  readonly config: ReleaseConfig;
  /** Cleans the RCs of a final version `X.Y.Z`; `dryRun` decides and reports only. */
  cleanup(version: string, options?: CleanupOptions): Promise<CleanupReport>;
}

export function createCleanupService(config: ReleaseConfig, ports: ReleasePorts): CleanupService {
  return {
    config,
    cleanup: (version, options) => cleanupRelease(config, ports, parseVersion(version), options),
  };
}
