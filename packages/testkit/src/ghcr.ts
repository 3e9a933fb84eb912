// A ghcr.io look-alike on 127.0.0.1: the real docker-registry behind a front that answers an OCI
// manifest DELETE the way ghcr.io does (405, UNSUPPORTED) and passes everything else through,
// plus the registry repository as a GitHub package (the Packages API simulator lists and deletes
// its manifests, as ghcr.io's package versions are its manifests).
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import type { SimPackageManifest, SimPackageSource } from './github/packages.js';
import { MediaTypes, OciWriter } from './oci-writer.js';
import type { LocalRegistry } from './registry.js';

/** ghcr.io's answer to `DELETE /v2/<name>/manifests/<digest>`. */
export const GHCR_DELETE_REFUSAL = {
  errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }],
};

/**
 * A front for a local registry that refuses manifest DELETEs with ghcr.io's 405 UNSUPPORTED.
 * It is a FaultProxy (its log shows what went through); `clearRules()` would lift the refusal.
 */
export async function startGhcrFront(target: string): Promise<FaultProxy> {
  const front = await startFaultProxy(target);
  front.addRule({
    match: /^DELETE \/v2\/.+\/manifests\//,
    fault: { kind: 'status', status: 405, body: JSON.stringify(GHCR_DELETE_REFUSAL) },
  });
  return front;
}

const INDEX_TYPES = new Set<string>([MediaTypes.ociIndex, MediaTypes.dockerList]);

/**
 * A registry repository as a container package: one version per manifest digest — every tagged
 * manifest and every platform manifest an index lists (on GHCR those are versions of their
 * own) — with its tags. Removing a version DELETEs the manifest at the registry itself (not
 * through the front).
 */
export function registryPackageSource(registry: LocalRegistry, repository: string): SimPackageSource {
  const writer = OciWriter.for(registry);
  const seen = new Set<string>();
  return {
    async list() {
      const tags = await writer.listTags(repository);
      const byDigest = new Map<string, string[]>();
      const children = new Set<string>();
      for (const tag of tags) {
        const m = await writer.getManifest(repository, tag);
        if (!m) continue;
        byDigest.set(m.digest, [...(byDigest.get(m.digest) ?? []), tag]);
        const mediaType = m.mediaType.split(';')[0]!.trim();
        const parsed = JSON.parse(m.bytes.toString('utf8')) as {
          mediaType?: string;
          manifests?: { digest: string }[];
        };
        if (INDEX_TYPES.has(mediaType) || INDEX_TYPES.has(parsed.mediaType ?? ''))
          for (const c of parsed.manifests ?? []) children.add(c.digest);
      }
      for (const c of children) if (!byDigest.has(c)) byDigest.set(c, []);
      // A version stays until it is deleted, reachable or not: a platform manifest outlives its
      // deleted index (an untagged version on GHCR).
      for (const d of seen)
        if (!byDigest.has(d) && (await writer.getManifest(repository, d))) byDigest.set(d, []);
      for (const d of byDigest.keys()) seen.add(d);
      return [...byDigest].map(([digest, t]): SimPackageManifest => ({ digest, tags: t.sort() }));
    },
    async remove(digest) {
      await writer.deleteManifest(repository, digest);
      seen.delete(digest);
    },
  };
}
