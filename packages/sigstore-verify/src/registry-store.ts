import type { RegistryClient } from '@relkit/registry';
import type { ReferrerList, SignatureStore } from './store.js';

/** The calls of @relkit/registry's client that discovery uses. */
export type RegistryReads = Pick<RegistryClient, 'referrers' | 'findManifest' | 'getBlob'>;

/**
 * Adapts @relkit/registry's client to the reads signature discovery needs, for one registry
 * host (e.g. `ghcr.io`, `127.0.0.1:5000`). The client already turns "not there" into
 * undefined / an empty list and throws on everything else, which is the store's contract.
 */
export function registrySignatureStore(client: RegistryReads, registry: string): SignatureStore {
  const ref = (repository: string, tag: string | undefined, digest: string | undefined) => ({
    registry,
    repository,
    tag,
    digest,
  });
  return {
    async listReferrers(repository, digest, signal): Promise<ReferrerList> {
      const r = await client.referrers(ref(repository, undefined, digest), { signal });
      return { via: r.via, manifests: r.manifests };
    },
    async getManifest(repository, reference, signal) {
      const isDigest = reference.startsWith('sha256:');
      const m = await client.findManifest(
        ref(repository, isDigest ? undefined : reference, isDigest ? reference : undefined),
        { signal },
      );
      return m ? { bytes: m.bytes, mediaType: m.mediaType } : undefined;
    },
    getBlob: (repository, digest, maxBytes, signal) =>
      client.getBlob(ref(repository, undefined, undefined), digest, { maxBytes, signal }),
  };
}
