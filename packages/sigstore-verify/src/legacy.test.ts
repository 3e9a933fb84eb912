import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { legacyLayerToBundle, SIMPLE_SIGNING_MEDIA_TYPE } from './legacy.js';
import { publicGoodTrustRoot } from './trust-root.js';
import { BundleVerifier } from './verify.js';

function sharedDir(): string {
  if (process.env.RELKIT_SHARED_DIR) return process.env.RELKIT_SHARED_DIR;
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'nx.json'))) d = dirname(d);
  return join(d, '..', 'shared');
}
const conformance = join(sharedDir(), 'data', 'sigstore-conformance');

/** Re-expresses a real public-good v0.1 bundle as the layer cosign would have pushed. */
function asCosignLayer() {
  const b = JSON.parse(readFileSync(join(conformance, 'happy-path-v0.1', 'bundle.sigstore.json'), 'utf8'));
  const blob = readFileSync(join(conformance, 'a.txt'));
  const e = b.verificationMaterial.tlogEntries[0];
  const cert = b.verificationMaterial.x509CertificateChain.certificates[0].rawBytes as string;
  const pem = `-----BEGIN CERTIFICATE-----\n${cert.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  const layer = {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    digest: `sha256:${createHash('sha256').update(blob).digest('hex')}`,
    annotations: {
      'dev.cosignproject.cosign/signature': b.messageSignature.signature,
      'dev.sigstore.cosign/certificate': pem,
      'dev.sigstore.cosign/bundle': JSON.stringify({
        SignedEntryTimestamp: e.inclusionPromise.signedEntryTimestamp,
        Payload: {
          body: e.canonicalizedBody,
          integratedTime: Number(e.integratedTime),
          logIndex: Number(e.logIndex),
          logID: Buffer.from(e.logId.keyId, 'base64').toString('hex'),
        },
      }),
    },
  };
  return { layer, blob };
}

describe('legacy cosign layer → bundle v0.1', () => {
  it('a real public-good signature, re-expressed as cosign annotations, verifies offline', () => {
    const { layer, blob } = asCosignLayer();
    const conv = legacyLayerToBundle(layer, blob);
    expect(conv.kind).toBe('signature');
    const v = new BundleVerifier({
      trustRoot: publicGoodTrustRoot(),
      policy: {
        identity:
          'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
        issuer: 'https://token.actions.githubusercontent.com',
      },
    });
    const r = v.verify(conv.bundle, { artifact: conv.payload! });
    expect(r.signer.integratedTime).toBe('2023-07-12T15:56:36.000Z');
    expect(r.signer.claims.sourceRepositoryUri).toBe(
      'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon',
    );
  });

  it('refuses a blob that is not the layer digest, and unknown media types', () => {
    const { layer, blob } = asCosignLayer();
    expect(() => legacyLayerToBundle(layer, Buffer.concat([blob, Buffer.from('x')]))).toThrow(
      /does not match/,
    );
    expect(() => legacyLayerToBundle({ ...layer, mediaType: 'application/json' }, blob)).toThrow(
      /unsupported/,
    );
    const noSig = {
      ...layer,
      annotations: { ...layer.annotations, 'dev.cosignproject.cosign/signature': '' },
    };
    expect(() => legacyLayerToBundle(noSig, blob)).toThrow(/signature annotation is missing/);
  });
});
