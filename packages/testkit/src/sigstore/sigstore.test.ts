import { bundleFromJSON } from '@sigstore/bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciWriter } from '../oci-writer.js';
import { startRegistry, type LocalRegistry } from '../registry.js';
import { pushTestImage } from '../test-image.js';
import { startSigstoreInfra, type SigstoreInfra } from './infra.js';
import { cosignTag, pushBundleReferrer, pushLegacySignatures } from './oci.js';
import { startReferrersApi } from './referrers-api.js';
import { legacyImageAttestation, legacyImageSignature, signImageBundle, SLSA_PROVENANCE_V1 } from './sign.js';

let infra: SigstoreInfra;
let registry: LocalRegistry;
beforeAll(async () => {
  [infra, registry] = await Promise.all([startSigstoreInfra(), startRegistry()]);
});
afterAll(async () => {
  await Promise.all([infra?.stop(), registry?.stop()]);
});

describe('sigstore mock infrastructure', () => {
  it('signs with the real @sigstore/sign clients at one whole-second instant', async () => {
    const digest = `sha256:${'1'.repeat(64)}`;
    const json = await signImageBundle(infra, { digest });
    const b = bundleFromJSON(json);
    expect(b.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    const e = b.verificationMaterial.tlogEntries[0]!;
    expect(Number(e.integratedTime) * 1000).toBe(infra.clock.getTime());
    expect(b.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);
    expect(infra.clock.getTime() % 1000).toBe(0);
  });

  it('pushes the three layouts into the real registry', async () => {
    const img = await pushTestImage(registry, { repository: 'acme/signed', tag: '1.0.0' });
    const sig = await legacyImageSignature(infra, { digest: img.digest });
    const att = await legacyImageAttestation(infra, {
      digest: img.digest,
      predicateType: SLSA_PROVENANCE_V1,
    });
    await pushLegacySignatures(registry, 'acme/signed', img.digest, 'sig', [sig]);
    await pushLegacySignatures(registry, 'acme/signed', img.digest, 'att', [att]);
    const bundle = await signImageBundle(infra, { digest: img.digest });
    const ref = await pushBundleReferrer(registry, 'acme/signed', img.digest, bundle, {
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      fallbackTag: true,
    });
    const w = OciWriter.for(registry);
    expect(await w.getManifest('acme/signed', cosignTag(img.digest, 'sig'))).not.toBeNull();
    expect(await w.getManifest('acme/signed', cosignTag(img.digest, 'att'))).not.toBeNull();
    const idx = await w.getManifest('acme/signed', cosignTag(img.digest));
    expect(JSON.parse(idx!.bytes.toString('utf8')).manifests[0].digest).toBe(ref.digest);

    // The plain registry has no referrers API; the front answers it from the registry's storage.
    const plain = await fetch(`${registry.url}/v2/acme/signed/referrers/${img.digest}`);
    await plain.arrayBuffer();
    expect(plain.status).toBe(404);
    const api = await startReferrersApi(registry);
    try {
      const r = await fetch(`${api.url}/v2/acme/signed/referrers/${img.digest}`);
      const index = (await r.json()) as { manifests: { digest: string; artifactType: string }[] };
      expect(index.manifests.map((m) => m.digest)).toEqual([ref.digest]);
      expect(index.manifests[0]!.artifactType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
      const fwd = await fetch(`${api.url}/v2/acme/signed/manifests/1.0.0`, {
        headers: { accept: 'application/vnd.oci.image.index.v1+json' },
      });
      await fwd.arrayBuffer();
      expect(fwd.headers.get('docker-content-digest')).toBe(img.digest);
    } finally {
      await api.stop();
    }
  });
});
