import type { ReleaseConfig } from './config.js';
import { releaseBranchName } from './config.js';
import type {
  ImageObservation,
  ManifestObservation,
  ObservationError,
  Observations,
  SignatureObservation,
} from './observations.js';
import type { ReleasePorts } from './ports.js';
import { parseVersion } from './version.js';

const VERSION_TAG = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** Turns a thrown adapter error into an observation error (code + message), never a crash. */
export function asObservationError(e: unknown): ObservationError {
  const err = e as { code?: unknown; message?: unknown };
  return {
    state: 'error',
    code: typeof err?.code === 'string' ? err.code : 'UNKNOWN',
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}

async function settle<T>(p: Promise<T>, onError: (e: ObservationError) => T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    return onError(asObservationError(e));
  }
}

async function observeImage(
  config: ReleaseConfig,
  ports: ReleasePorts,
  image: string,
  version: string,
  signal?: AbortSignal,
): Promise<ImageObservation> {
  const { registry, signatures } = ports;
  const [versionM, latestM, tags] = await Promise.all([
    settle<ManifestObservation>(registry.observeManifest(image, version, signal), (e) => e),
    settle<ManifestObservation>(registry.observeManifest(image, 'latest', signal), (e) => e),
    settle<readonly string[] | undefined>(registry.listTags(image, signal), () => undefined),
  ]);
  // Signatures are verified for the digest just observed: the one a promote would move latest to.
  const policy = config.signing;
  const sigP: Promise<SignatureObservation> =
    versionM.state !== 'found'
      ? Promise.resolve({ state: 'not-checked' })
      : policy
        ? settle<SignatureObservation>(signatures.verify(image, versionM.digest, policy, signal), (e) => e)
        : Promise.resolve({ state: 'not-checked' });
  const platformSigsP =
    versionM.state === 'found' && policy?.verifyPlatforms
      ? Promise.all(
          versionM.platforms.map((p) =>
            settle<SignatureObservation>(signatures.verify(image, p.digest, policy, signal), (e) => e),
          ),
        )
      : Promise.resolve(undefined);

  // Which version tag does latest point at? Only final versions count; resolve the newest few.
  let latestVersion: string | undefined;
  if (latestM.state === 'found') {
    if (versionM.state === 'found' && versionM.digest === latestM.digest) latestVersion = version;
    else if (tags) {
      const finals = tags.filter((t) => VERSION_TAG.test(t) && t !== version);
      finals.sort((a, b) => {
        const [x, y] = [parseVersion(a), parseVersion(b)];
        return y.major - x.major || y.minor - x.minor || y.patch - x.patch;
      });
      const candidates = await Promise.all(
        finals.slice(0, 10).map((t) => settle(registry.observeManifest(image, t, signal), (e) => e)),
      );
      latestVersion = finals[candidates.findIndex((m) => m.state === 'found' && m.digest === latestM.digest)];
    }
  }
  // Candidate images matter only to the optional cleanup: don't fetch them otherwise.
  const rcPrefix = `${version}-rc`;
  const rcTags = config.cleanupCandidates
    ? (tags ?? []).filter((t) => t.startsWith(rcPrefix) && /^\d+$/.test(t.slice(rcPrefix.length)))
    : [];
  const rcManifests = await Promise.all(
    rcTags.map((t) => settle(registry.observeManifest(image, t, signal), (e) => e)),
  );
  const candidateTags = rcTags.flatMap((tag, i) => {
    const m = rcManifests[i];
    return m?.state === 'found' ? [{ tag, digest: m.digest }] : [];
  });
  const [signature, platformSignatures] = await Promise.all([sigP, platformSigsP]);
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
  version: string,
  signal?: AbortSignal,
): Promise<Observations> {
  parseVersion(version);
  const tag = `${config.tagPrefix}${version}`;
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
  const candidateTags = tagList
    .filter((t) => /^\d+$/.test(t.slice(`${tag}-rc`.length)))
    .sort((a, b) => Number(a.slice(tag.length + 3)) - Number(b.slice(tag.length + 3)));
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
