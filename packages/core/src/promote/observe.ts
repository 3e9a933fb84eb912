import type { ReleaseConfig } from '../config.js';
import { releaseBranchName } from '../config.js';
import {
  settle,
  type ImageObservation,
  type ManifestObservation,
  type Observations,
  type SignatureObservation,
} from '../observations.js';
import type { ReleasePorts } from '../ports.js';
import { candidateTagsOf, finalVersionsOf, formatTag, type ReleaseVersion } from '../version.js';

export { asObservationError } from '../observations.js';

async function observeImage(
  config: ReleaseConfig,
  ports: ReleasePorts,
  image: string,
  release: ReleaseVersion,
  signal?: AbortSignal,
): Promise<ImageObservation> {
  const { registry, signatures } = ports;
  // Images are tagged with the bare version (no tag prefix).
  const version = formatTag(release);
  const versionP = settle<ManifestObservation>(registry.observeManifest(image, version, signal), (e) => e);
  const others = Promise.all([
    settle<ManifestObservation>(registry.observeManifest(image, 'latest', signal), (e) => e),
    settle<readonly string[] | undefined>(registry.listTags(image, signal), () => undefined),
  ]);
  const policy = config.signing;
  // The verifier gets ready while the manifests are read, not after.
  if (policy) signatures.prepare?.(policy);
  // Signatures are verified for the digest just observed: the one a promote would move latest
  // to. Their lookups go out as soon as it is known, not once latest and the tag list are in too.
  const signaturesP = versionP.then((versionM) =>
    Promise.all([
      versionM.state !== 'found'
        ? { state: 'not-checked' as const }
        : policy
          ? settle<SignatureObservation>(signatures.verify(image, versionM.digest, policy, signal), (e) => e)
          : { state: 'not-checked' as const },
      versionM.state === 'found' && policy?.verifyPlatforms
        ? Promise.all(
            versionM.platforms.map((p) =>
              settle<SignatureObservation>(signatures.verify(image, p.digest, policy, signal), (e) => e),
            ),
          )
        : undefined,
    ]),
  );
  // Awaited below, after the manifests: a failure is this function's, as it was, not an unhandled one.
  signaturesP.catch(() => undefined);
  const [versionM, [latestM, tags]] = await Promise.all([versionP, others]);

  // Which version tag does latest point at? Only final versions count; resolve the newest few.
  let latestVersion: string | undefined;
  if (latestM.state === 'found') {
    if (versionM.state === 'found' && versionM.digest === latestM.digest) latestVersion = version;
    else if (tags) {
      const finals = finalVersionsOf(tags)
        .map((v) => formatTag(v))
        .filter((t) => t !== version);
      const candidates = await Promise.all(
        finals.slice(0, 10).map((t) => settle(registry.observeManifest(image, t, signal), (e) => e)),
      );
      latestVersion = finals[candidates.findIndex((m) => m.state === 'found' && m.digest === latestM.digest)];
    }
  }
  // Candidate images matter only to the optional cleanup: don't fetch them otherwise.
  const rcTags = config.cleanupCandidates ? candidateTagsOf(release, tags ?? []).map((c) => c.tag) : [];
  const rcManifests = await Promise.all(
    rcTags.map((t) => settle(registry.observeManifest(image, t, signal), (e) => e)),
  );
  const candidateTags = rcTags.flatMap((tag, i) => {
    const m = rcManifests[i];
    return m?.state === 'found' ? [{ tag, digest: m.digest }] : [];
  });
  const [signature, platformSignatures] = await signaturesP;
  return {
    image,
    version: versionM,
    latest: latestM,
    latestVersion,
    signature,
    platformSignatures,
    candidateTags,
  };
}

/**
 * Gathers everything relkit needs to judge a release, concurrently, through the ports.
 * Never throws for what the world says: errors become `state: 'error'` observations.
 */
export async function observeRelease(
  config: ReleaseConfig,
  ports: ReleasePorts,
  version: ReleaseVersion,
  signal?: AbortSignal,
): Promise<Observations> {
  const tag = formatTag(version, config.tagPrefix);
  const head = releaseBranchName(config, version);
  const now = ports.clock?.now() ?? new Date();
  const { forge } = ports;
  const [images, release, smoke, pullRequest, versionTag, tagList] = await Promise.all([
    Promise.all(config.images.map((i) => observeImage(config, ports, i.name, version, signal))),
    settle(forge.observeRelease(tag, signal), (e) => e),
    config.smoke
      ? settle(forge.observeSmoke(tag, signal), (e) => e)
      : Promise.resolve({ state: 'not-configured' as const }),
    settle(forge.observePullRequest(head, config.baseBranch, signal), (e) => e),
    settle(forge.observeTag(tag, signal), (e) => e),
    settle<readonly string[]>(forge.listTags(`${tag}-rc`, signal), () => []),
  ]);
  const candidateTags = candidateTagsOf(version, tagList, config.tagPrefix).map((c) => c.tag);
  return {
    version,
    observedAt: now.toISOString(),
    images,
    release,
    smoke,
    pullRequest,
    versionTag,
    candidateTags,
  };
}
