// Fuzzing bundle parsing: whatever JSON a registry or attestation store holds, parseBundle
// returns a bundle or throws SigstoreVerifyError — nothing else escapes. RELKIT_FUZZ_RUNS raises
// the run count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SigstoreVerifyError } from './errors.js';
import { parseBundle } from './verify.js';

const RUNS = Number(process.env.RELKIT_FUZZ_RUNS ?? 300);

function onlyTypedErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(SigstoreVerifyError);
  }
}

const b64 = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b).toString('base64'));
const MEDIA_TYPES = [
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
  'application/vnd.dev.sigstore.bundle.v0.4+json',
];
const json = () => fc.jsonValue({ maxDepth: 2 });
const bundleish = fc.record(
  {
    mediaType: fc.oneof(fc.constantFrom(...MEDIA_TYPES), json()),
    verificationMaterial: fc.oneof(
      fc.record(
        {
          certificate: fc.oneof(fc.record({ rawBytes: fc.oneof(b64, json()) }), json()),
          x509CertificateChain: fc.oneof(
            fc.record({ certificates: fc.array(fc.record({ rawBytes: b64 }), { maxLength: 2 }) }),
            json(),
          ),
          publicKey: fc.oneof(fc.record({ hint: fc.string() }), json()),
          tlogEntries: fc.oneof(
            fc.array(
              fc.record(
                {
                  logIndex: fc.oneof(fc.nat().map(String), json()),
                  logId: fc.oneof(fc.record({ keyId: b64 }), json()),
                  kindVersion: fc.oneof(fc.record({ kind: fc.string(), version: fc.string() }), json()),
                  integratedTime: fc.oneof(fc.nat().map(String), json()),
                  inclusionPromise: fc.oneof(fc.record({ signedEntryTimestamp: b64 }), json()),
                  canonicalizedBody: fc.oneof(b64, json()),
                },
                { requiredKeys: [] },
              ),
              { maxLength: 2 },
            ),
            json(),
          ),
          timestampVerificationData: json(),
        },
        { requiredKeys: [] },
      ),
      json(),
    ),
    messageSignature: fc.oneof(
      fc.record(
        {
          messageDigest: fc.oneof(
            fc.record({ algorithm: fc.constantFrom('SHA2_256', 'SHA2_384', 'x'), digest: b64 }),
            json(),
          ),
          signature: fc.oneof(b64, json()),
        },
        { requiredKeys: [] },
      ),
      json(),
    ),
    dsseEnvelope: fc.oneof(
      fc.record(
        {
          payload: fc.oneof(b64, json()),
          payloadType: fc.oneof(fc.string(), json()),
          signatures: fc.oneof(
            fc.array(fc.record({ sig: b64, keyid: fc.string() }), { maxLength: 2 }),
            json(),
          ),
        },
        { requiredKeys: [] },
      ),
      json(),
    ),
  },
  { requiredKeys: [] },
);

describe('bundle parsing fuzzing: nothing but SigstoreVerifyError escapes', () => {
  it('arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (j) => onlyTypedErrors(() => parseBundle(j))),
      { numRuns: RUNS },
    );
  });

  it('bundle-shaped JSON with wrong fields', () => {
    fc.assert(
      fc.property(bundleish, (b) => onlyTypedErrors(() => parseBundle(b))),
      { numRuns: RUNS },
    );
  });
});
