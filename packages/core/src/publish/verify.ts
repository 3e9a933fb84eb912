import type { ReleaseConfig } from '../config.js';
import { ReleaseError } from '../errors.js';
import {
  settle,
  type ImageObservation,
  type ManifestObservation,
  type Observations,
  type SignatureObservation,
} from '../observations.js';
import { evaluateGates, summarizeGates, type GateResult, type GateStatus } from '../promote/gates.js';
import { formatTag, type ReleaseVersion } from '../version.js';
import type { PublishImagePorts } from './ports.js';

/** The verdict of `release-cli verify-publish`: the images of one version, never `latest`. */
export interface PublishVerification {
  readonly version: string;
  readonly gates: readonly GateResult[];
  readonly verdict: GateStatus;
  /** Per image, the digest of the version tag (the one CI signed), when present. */
  readonly digests: readonly { readonly image: string; readonly digest: string }[];
}

/**
 * Observes the version tag of every configured image and verifies its signatures. Only the
 * version tag is looked at: `latest` is promote's business and verify-publish must not depend on it.
 */
export async function observePublishedImages(
  config: ReleaseConfig,
  images: PublishImagePorts,
  version: ReleaseVersion,
  signal?: AbortSignal,
  now: Date = new Date(),
): Promise<Observations> {
  const policy = config.signing;
  const observed = await Promise.all(
    config.images.map(async (img): Promise<ImageObservation> => {
      const m = await settle<ManifestObservation>(
        images.observeManifest(img.name, formatTag(version), signal),
        (e) => e,
      );
      const signature: SignatureObservation =
        m.state === 'found' && policy
          ? await settle<SignatureObservation>(images.verify(img.name, m.digest, policy, signal), (e) => e)
          : { state: 'not-checked' };
      const platformSignatures =
        m.state === 'found' && policy?.verifyPlatforms
          ? await Promise.all(
              m.platforms.map((p) =>
                settle<SignatureObservation>(images.verify(img.name, p.digest, policy, signal), (e) => e),
              ),
            )
          : undefined;
      return { image: img.name, version: m, latest: { state: 'missing' }, signature, platformSignatures };
    }),
  );
  return {
    version,
    observedAt: now.toISOString(),
    images: observed,
    release: { state: 'missing' },
    smoke: { state: 'not-configured' },
    pullRequest: { state: 'missing', head: '', base: '' },
    versionTag: { state: 'missing', tag: '' },
    candidateTags: [],
  };
}

const IMAGE_GATES = new Set(['image-present', 'image-platforms', 'image-signature', 'image-attestations']);

/**
 * The gates CI runs right after cosign: the version (X.Y.Z or a candidate X.Y.Z-rcN) exists for
 * every image with every platform, and is signed (and attested) as the policy demands. Reuses the
 * promote gates for images, so publish and promote judge an image by the same rules.
 */
export function verifyPublish(config: ReleaseConfig, obs: Observations): PublishVerification {
  if (config.images.length === 0) {
    throw new ReleaseError(
      'INVALID_CONFIG',
      'release.config.json has no "images": there is nothing for verify-publish to check',
    );
  }
  // The version was parsed at the edge: reaching here, it is a release version.
  const v = obs.version;
  const versionGate: GateResult = {
    id: 'version',
    title: 'a release version',
    status: 'pass',
    reason: v.candidate === undefined ? v.text : `${v.text} (candidate)`,
    evidence: [],
  };
  const gates = [versionGate, ...evaluateGates(config, obs).filter((g) => IMAGE_GATES.has(g.id))];
  const digests = obs.images.flatMap((i) =>
    i.version.state === 'found' ? [{ image: i.image, digest: i.version.digest }] : [],
  );
  return { version: obs.version.text, gates, verdict: summarizeGates(gates), digests };
}
