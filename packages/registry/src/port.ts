import type { ManifestObservation, RegistryPort } from '@relkit/release-core';
import type { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { assertDigest } from './digest.js';
import { parseReference, type ImageReference } from './reference.js';

/** "ghcr.io/acme/app" + "1.2.3" or "sha256:…" → a reference. */
function imageAt(image: string, reference: string): ImageReference {
  const base = parseReference(image);
  if (base.tag !== undefined || base.digest !== undefined) {
    throw new RegistryError('INVALID_REFERENCE', `"${image}" must be an image name without tag or digest`);
  }
  return reference.startsWith('sha256:')
    ? { ...base, digest: assertDigest(reference) }
    : { ...parseReference(`${image}:${reference}`), digest: undefined };
}

/**
 * The registry port of @relkit/release-core on this client. Observations report registry
 * failures as data (state 'error' with the RegistryError code), so "not there" (state
 * 'missing') is never confused with "could not look"; actions throw.
 */
export function registryPort(client: RegistryClient): RegistryPort {
  return {
    async observeManifest(image, reference, signal): Promise<ManifestObservation> {
      try {
        const m = await client.findManifest(imageAt(image, reference), { signal });
        if (!m) return { state: 'missing' };
        const d = await client.describe(m, { signal });
        return {
          state: 'found',
          digest: d.digest,
          mediaType: d.mediaType,
          multiArch: d.kind === 'index',
          platforms: d.platforms
            // buildx stores provenance/SBOM as "unknown/unknown" children: not platforms.
            .filter(
              (p) => p.platform && p.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
            )
            .map((p) => ({
              os: p.platform!.os,
              architecture: p.platform!.architecture,
              ...(p.platform!.variant ? { variant: p.platform!.variant } : {}),
              digest: p.digest,
            })),
        };
      } catch (e) {
        if (e instanceof RegistryError)
          return { state: 'error', code: e.code, message: e.message, transient: e.transient };
        throw e;
      }
    },
    async listTags(image, signal) {
      try {
        return await client.listTags(imageAt(image, 'latest'), { signal });
      } catch (e) {
        // A repository that does not exist yet has no tags; any other failure is not an answer.
        if (e instanceof RegistryError && e.code === 'NAME_UNKNOWN') return [];
        throw e;
      }
    },
    async retag(image, digest, tag, options = {}) {
      const r = await client.retag(imageAt(image, digest), tag, {
        signal: options.signal,
        ...(options.checked ? { skipIfCurrent: false, readBack: false } : {}),
      });
      return { digest: r.digest, skipped: !r.changed };
    },
    prepareWrite(image, signal) {
      client.prepareWrite(image, { signal });
    },
    async deleteManifest(image, digest, signal) {
      // Already gone is the outcome wanted: deleting is idempotent.
      await client.deleteManifest(imageAt(image, digest), { signal });
    },
  };
}
