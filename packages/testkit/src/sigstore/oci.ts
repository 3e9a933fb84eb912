import { MediaTypes, OciWriter, sha256 } from '../oci-writer.js';
import type { LocalRegistry } from '../registry.js';
import type { LegacySignatureLayer } from './sign.js';

export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';

const writerOf = (r: LocalRegistry | OciWriter) => (r instanceof OciWriter ? r : OciWriter.for(r));
const hexOf = (digest: string) => digest.replace(/^sha256:/, '');

/** The tag cosign uses for legacy signatures (`sig`), attestations (`att`), or the referrers fallback (none). */
export function cosignTag(digest: string, suffix?: 'sig' | 'att'): string {
  return `sha256-${hexOf(digest)}${suffix ? `.${suffix}` : ''}`;
}

/**
 * Pushes legacy cosign signatures or attestations for an image digest: one OCI manifest at
 * `sha256-<hex>.sig` / `.att` whose layers are the signatures (blob = signed payload).
 */
export async function pushLegacySignatures(
  registry: LocalRegistry | OciWriter,
  repository: string,
  imageDigest: string,
  suffix: 'sig' | 'att',
  layers: readonly LegacySignatureLayer[],
): Promise<{ tag: string; digest: string }> {
  const w = writerOf(registry);
  for (const l of layers) await w.uploadBlob(repository, l.blob);
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
  await w.uploadBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, size: config.length, digest: sha256(config) },
      layers: layers.map((l) => ({
        mediaType: l.mediaType,
        size: l.size,
        digest: l.digest,
        annotations: l.annotations,
      })),
    }),
  );
  const tag = cosignTag(imageDigest, suffix);
  const digest = await w.putManifest(repository, tag, manifest, MediaTypes.ociManifest);
  return { tag, digest };
}

export interface ReferrerPush {
  /** Digest of the referrer manifest. */
  readonly digest: string;
  /** The descriptor a referrers index lists for it. */
  readonly descriptor: Record<string, unknown>;
}

/**
 * Pushes a Sigstore bundle v0.3 as an OCI 1.1 referrer of the image (cosign v3 /
 * actions/attest layout). With `fallbackTag`, also appends it to the `sha256-<hex>` referrers
 * tag index, as clients do on registries without the referrers API (GHCR, Docker Hub).
 */
export async function pushBundleReferrer(
  registry: LocalRegistry | OciWriter,
  repository: string,
  imageDigest: string,
  bundle: unknown,
  options: { predicateType: string; fallbackTag?: boolean; created?: string },
): Promise<ReferrerPush> {
  const w = writerOf(registry);
  const subject = await w.getManifest(repository, imageDigest);
  if (!subject) throw new Error(`image ${repository}@${imageDigest} is not in the registry`);
  const blob = Buffer.from(JSON.stringify(bundle));
  const empty = Buffer.from('{}');
  await w.uploadBlob(repository, blob);
  await w.uploadBlob(repository, empty);
  const annotations = {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': options.predicateType,
    'org.opencontainers.image.created': options.created ?? '2026-01-01T00:00:00Z',
  };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      artifactType: BUNDLE_V03_MEDIA_TYPE,
      config: { mediaType: OCI_EMPTY_MEDIA_TYPE, size: 2, digest: sha256(empty) },
      layers: [{ mediaType: BUNDLE_V03_MEDIA_TYPE, size: blob.length, digest: sha256(blob) }],
      subject: { mediaType: subject.mediaType, size: subject.bytes.length, digest: imageDigest },
      annotations,
    }),
  );
  const digest = await w.putManifest(repository, sha256(manifest), manifest, MediaTypes.ociManifest);
  const descriptor = {
    mediaType: MediaTypes.ociManifest,
    size: manifest.length,
    digest,
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    annotations,
  };
  if (options.fallbackTag) {
    const tag = cosignTag(imageDigest);
    const current = await w.getManifest(repository, tag);
    const index = current
      ? (JSON.parse(current.bytes.toString('utf8')) as { manifests: unknown[] })
      : { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] as unknown[] };
    index.manifests.push(descriptor);
    await w.putManifest(repository, tag, Buffer.from(JSON.stringify(index)), MediaTypes.ociIndex);
  }
  return { digest, descriptor };
}
