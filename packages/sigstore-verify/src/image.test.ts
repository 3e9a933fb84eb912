import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import {
  COSIGN_SIGN_PREDICATE,
  GITHUB_ACTIONS_ISSUER,
  SLSA_PROVENANCE_V1,
  SPDX_PREDICATE,
  generateSigningKey,
  legacyImageAttestation,
  legacyImageSignature,
  pushBundleReferrer,
  pushLegacySignatures,
  pushTestImage,
  signImageBundle,
  startFaultProxy,
  startReferrersApi,
  startRegistry,
  startSigstoreInfra,
  workflowSan,
  type LocalRegistry,
  type ReferrersRegistry,
  type SigstoreInfra,
} from '@relkit/testkit';
import { RegistryClient } from '@relkit/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyLayerToBundle } from './legacy.js';
import { registrySignatureStore } from './registry-store.js';
import { verifyImage, type ImageVerification } from './image.js';
import type { SignerPolicy } from './policy.js';
import { parseTrustRoot, type TrustRoot } from './trust-root.js';
import { BundleVerifier } from './verify.js';

let infra: SigstoreInfra;
let untrusted: SigstoreInfra;
let registry: LocalRegistry;
let front: ReferrersRegistry;
let trust: TrustRoot;
const SAN = workflowSan();
const policy: SignerPolicy = { identity: SAN, issuer: GITHUB_ACTIONS_ISSUER };

beforeAll(async () => {
  [infra, untrusted, registry] = await Promise.all([
    startSigstoreInfra(),
    startSigstoreInfra(),
    startRegistry(),
  ]);
  front = await startReferrersApi(registry);
  trust = parseTrustRoot(infra.trustedRoot, 'mock');
});
afterAll(async () => {
  await front?.stop();
  await Promise.all([infra?.stop(), untrusted?.stop(), registry?.stop()]);
});

let seq = 0;
async function image() {
  const repository = `acme/app${++seq}`;
  const img = await pushTestImage(registry, { repository, tag: '1.0.0', seed: String(seq) });
  return { repository, digest: img.digest };
}

function verify(
  img: { repository: string; digest: string },
  p: SignerPolicy = policy,
  opts: { via?: string; require?: ('slsa' | 'sbom')[] } = {},
): Promise<ImageVerification> {
  const host = new URL(opts.via ?? registry.url).host;
  return verifyImage(img, {
    store: registrySignatureStore(new RegistryClient({ retries: 0 }), host),
    verifier: new BundleVerifier({ trustRoot: trust, policy: p }),
    requireAttestations: opts.require ?? [],
  });
}

describe('verifyImage: the three layouts, verified by reference', () => {
  it('legacy .sig and .att tags (converted to bundle v0.1)', async () => {
    const img = await image();
    const sig = await legacyImageSignature(infra, { digest: img.digest });
    const att = await legacyImageAttestation(infra, {
      digest: img.digest,
      predicateType: SLSA_PROVENANCE_V1,
    });
    await pushLegacySignatures(registry, img.repository, img.digest, 'sig', [sig]);
    await pushLegacySignatures(registry, img.repository, img.digest, 'att', [att]);
    const r = await verify(img, policy, { require: ['slsa'] });
    expect(r.verdict).toBe('verified');
    expect(r.lookupProblems).toEqual([]);
    const s = r.signers[0]!;
    expect(s).toMatchObject({
      kind: 'certificate',
      identity: SAN,
      issuer: GITHUB_ACTIONS_ISSUER,
      integratedTime: infra.clock.toISOString(),
    });
    expect(s.tlogIndex).toMatch(/^\d+$/);
    expect(s.claims).toMatchObject({
      sourceRepositoryUri: 'https://github.com/acme/widget',
      sourceRepositoryRef: 'refs/heads/main',
      buildSignerUri: SAN,
      buildTrigger: 'push',
      runnerEnvironment: 'github-hosted',
      githubWorkflowTrigger: 'push',
    });
    expect(r.attestations).toEqual([
      expect.objectContaining({
        predicateType: SLSA_PROVENANCE_V1,
        category: 'slsa-provenance',
        source: 'legacy-att',
      }),
    ]);
    expect(r.findings.map((f) => f.source).sort()).toEqual(['legacy-att', 'legacy-sig']);
    const noSbom = await verify(img, policy, { require: ['slsa', 'sbom'] });
    expect(noSbom.verdict).toBe('missing-attestation');
    expect(noSbom.missingAttestations).toEqual(['sbom']);
  });

  it('bundle v0.3 in the sha256-<hex> fallback tag index (registry without referrers API)', async () => {
    const img = await image();
    const bundle = await signImageBundle(infra, { digest: img.digest });
    const sbom = await signImageBundle(infra, { digest: img.digest, predicateType: SPDX_PREDICATE });
    await pushBundleReferrer(registry, img.repository, img.digest, bundle, {
      predicateType: COSIGN_SIGN_PREDICATE,
      fallbackTag: true,
    });
    await pushBundleReferrer(registry, img.repository, img.digest, sbom, {
      predicateType: SPDX_PREDICATE,
      fallbackTag: true,
    });
    const r = await verify(img, policy, { require: ['sbom'] });
    expect(r.verdict).toBe('verified');
    expect(r.findings.every((f) => f.source === 'referrers-tag')).toBe(true);
    expect(r.signers[0]?.identity).toBe(SAN);
    expect(r.attestations.map((a) => a.category)).toEqual(['sbom-spdx']);
  });

  it('bundle v0.3 as an OCI 1.1 referrer, found through the referrers API', async () => {
    const img = await image();
    const bundle = await signImageBundle(infra, { digest: img.digest });
    await pushBundleReferrer(registry, img.repository, img.digest, bundle, {
      predicateType: COSIGN_SIGN_PREDICATE,
    });
    const viaApi = await verify(img, policy, { via: front.url });
    expect(viaApi.verdict).toBe('verified');
    expect(viaApi.findings.map((f) => f.source)).toEqual(['referrers-api']);
    expect(front.log).toContain(`GET /v2/${img.repository}/referrers/${img.digest}`);
    // Without the API and without a fallback tag, the referrer is invisible: honestly not signed.
    expect((await verify(img)).verdict).toBe('not-signed');
  });
});

describe('verifyImage: reuse of results', () => {
  it('reuses what the same verifier concluded about the same content, but always looks again', async () => {
    const img = await image();
    const bundle = await signImageBundle(infra, { digest: img.digest });
    await pushBundleReferrer(registry, img.repository, img.digest, bundle, {
      predicateType: COSIGN_SIGN_PREDICATE,
    });
    const store = registrySignatureStore(new RegistryClient({ retries: 0 }), front.host);
    const verifier = new BundleVerifier({ trustRoot: trust, policy });
    const blobGets = () => front.log.filter((l) => l.startsWith(`GET /v2/${img.repository}/blobs/`)).length;
    const first = await verifyImage(img, { store, verifier });
    const afterFirst = blobGets();
    const second = await verifyImage(img, { store, verifier });
    expect(second).toEqual(first);
    expect(second.verdict).toBe('verified');
    expect(blobGets()).toBe(afterFirst);
    expect(front.log.filter((l) => l.includes('/referrers/')).length).toBeGreaterThanOrEqual(2);
    await verifyImage(img, { store, verifier, reuseResults: false });
    expect(blobGets()).toBe(afterFirst + 1);
  });
});

describe('verifyImage: not signed versus could not look', () => {
  it('reports an unsigned image as not-signed', async () => {
    const r = await verify(await image());
    expect(r.verdict).toBe('not-signed');
    expect(r.findings).toEqual([]);
  });

  it('does not count an attestation as a signature, but reports it', async () => {
    const img = await image();
    const slsa = await signImageBundle(infra, { digest: img.digest, predicateType: SLSA_PROVENANCE_V1 });
    await pushBundleReferrer(registry, img.repository, img.digest, slsa, {
      predicateType: SLSA_PROVENANCE_V1,
      fallbackTag: true,
    });
    const r = await verify(img, policy, { require: ['slsa'] });
    expect(r.verdict).toBe('not-signed');
    expect(r.attestations).toEqual([
      expect.objectContaining({ category: 'slsa-provenance', source: 'referrers-tag' }),
    ]);
    expect(r.summary).toContain('do not count as a signature');
  });

  it('never reads a rate-limited or failing registry as unsigned', async () => {
    const img = await image();
    const proxy = await startFaultProxy(registry.url);
    try {
      proxy.addRule({ match: /GET .*\.sig$/, fault: { kind: 'status', status: 429, retryAfter: '1' } });
      const r = await verify(img, policy, { via: proxy.url });
      expect(r.verdict).toBe('could-not-look');
      expect(r.lookupProblems[0]).toMatchObject({ source: 'legacy-sig', code: 'RATE_LIMITED' });
      proxy.clearRules();
      proxy.addRule({
        match: /referrers|manifests\/sha256-[0-9a-f]{64}$/,
        fault: { kind: 'status', status: 503 },
      });
      expect((await verify(img, policy, { via: proxy.url })).verdict).toBe('could-not-look');
    } finally {
      await proxy.stop();
    }
  });
});

describe('verifyImage: rejections', () => {
  async function rejected(img: { repository: string; digest: string }, p: SignerPolicy = policy) {
    const r = await verify(img, p);
    expect(r.verdict).toBe('rejected');
    expect(r.signers).toEqual([]);
    return r.findings[0]!.reason!;
  }

  it('a tampered payload', async () => {
    const img = await image();
    const sig = await legacyImageSignature(infra, {
      digest: img.digest,
      tamper: (p) => Buffer.from(p.toString().replace('"optional":null', '"optional":{"evil":"yes"}')),
    });
    await pushLegacySignatures(registry, img.repository, img.digest, 'sig', [sig]);
    expect(await rejected(img)).toMatchObject({ code: 'VERIFICATION_FAILED' });
  });

  it('a signature of another digest (legacy and bundle)', async () => {
    const img = await image();
    const other = await image();
    const sig = await legacyImageSignature(infra, { digest: other.digest });
    await pushLegacySignatures(registry, img.repository, img.digest, 'sig', [sig]);
    const reason = await rejected(img);
    expect(reason.code).toBe('SUBJECT_MISMATCH');
    expect(reason.message).toContain(other.digest);

    const img2 = await image();
    const bundle = await signImageBundle(infra, { digest: other.digest });
    await pushBundleReferrer(registry, img2.repository, img2.digest, bundle, {
      predicateType: COSIGN_SIGN_PREDICATE,
      fallbackTag: true,
    });
    expect(await rejected(img2)).toMatchObject({ code: 'SUBJECT_MISMATCH' });
  });

  it('a wrong identity, an unanchored-regexp attack, a wrong issuer and a claim mismatch', async () => {
    const img = await image();
    const evil = {
      subject: 'https://evil-github.com/acme/widget/.github/workflows/release.yml@refs/heads/main',
    };
    await pushLegacySignatures(registry, img.repository, img.digest, 'sig', [
      await legacyImageSignature(infra, { digest: img.digest, identity: evil }),
    ]);
    expect(await rejected(img)).toMatchObject({ code: 'UNTRUSTED_SIGNER' });
    // As a substring regexp (sigstore-js's string semantics) this would accept evil-github.com.
    expect(
      await rejected(img, { identityRegexp: 'github\\.com/acme/widget/.*', issuer: GITHUB_ACTIONS_ISSUER }),
    ).toMatchObject({ code: 'UNTRUSTED_SIGNER' });

    const good = await image();
    await pushLegacySignatures(registry, good.repository, good.digest, 'sig', [
      await legacyImageSignature(infra, { digest: good.digest }),
    ]);
    expect(await rejected(good, { identity: SAN, issuer: 'https://accounts.google.com' })).toMatchObject({
      code: 'UNTRUSTED_SIGNER',
      message: expect.stringContaining('issuer'),
    });
    expect(
      await rejected(good, {
        identity: SAN,
        issuer: GITHUB_ACTIONS_ISSUER,
        claims: { sourceRepositoryRef: 'refs/tags/v1' },
      }),
    ).toMatchObject({ message: expect.stringContaining('sourceRepositoryRef') });
    const ok = await verify(good, {
      identityRegexp: 'https://github\\.com/acme/widget/\\.github/workflows/release\\.yml@refs/heads/.+',
      issuer: GITHUB_ACTIONS_ISSUER,
      claims: {
        sourceRepositoryUri: 'https://github.com/acme/widget',
        buildTrigger: { regexp: 'push|release' },
      },
    });
    expect(ok.verdict).toBe('verified');
  });

  it('a certificate from an untrusted CA', async () => {
    const img = await image();
    await pushLegacySignatures(registry, img.repository, img.digest, 'sig', [
      await legacyImageSignature(untrusted, { digest: img.digest }),
    ]);
    expect(await rejected(img)).toMatchObject({ code: 'VERIFICATION_FAILED' });
  });

  it('a certificate that had expired at the SET time', async () => {
    const img = await image();
    const late = new Date(infra.clock.getTime() + 3600_000);
    await pushLegacySignatures(registry, img.repository, img.digest, 'sig', [
      await legacyImageSignature(infra, { digest: img.digest, integratedAt: late }),
    ]);
    const reason = await rejected(img);
    expect(reason.code).toBe('VERIFICATION_FAILED');
    expect(reason.message).toContain('CERTIFICATE_ERROR');
  });

  it('a tlog body naming another key than the certificate (sigstore-js alone accepts it)', async () => {
    const img = await image();
    const other = await legacyImageSignature(infra, { digest: img.digest });
    const sig = await legacyImageSignature(infra, {
      digest: img.digest,
      rekorPublicKeyPem: other.annotations['dev.sigstore.cosign/certificate'],
    });
    await pushLegacySignatures(registry, img.repository, img.digest, 'sig', [sig]);
    expect(await rejected(img)).toMatchObject({ code: 'TLOG_KEY_MISMATCH' });
    // The same bundle passes bare @sigstore/verify: the check is relkit's own.
    const conv = legacyLayerToBundle(sig, sig.blob);
    const bare = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(infra.trustedRoot)));
    expect(() => bare.verify(toSignedEntity(bundleFromJSON(conv.bundle), conv.payload))).not.toThrow();
  });

  it('keyed signatures: the right key verifies, another key is rejected', async () => {
    const key = generateSigningKey();
    const img = await image();
    await pushLegacySignatures(registry, img.repository, img.digest, 'sig', [
      await legacyImageSignature(infra, { digest: img.digest, key }),
    ]);
    const ok = await verify(img, { publicKey: key.publicKeyPem });
    expect(ok.verdict).toBe('verified');
    expect(ok.signers[0]).toMatchObject({ kind: 'key' });
    expect(ok.signers[0]!.identity).toBeUndefined();
    expect(await rejected(img, { publicKey: generateSigningKey().publicKeyPem })).toMatchObject({
      code: 'VERIFICATION_FAILED',
    });
    // A keyed signature never satisfies an identity policy.
    expect(await rejected(img)).toBeDefined();
  });
});
