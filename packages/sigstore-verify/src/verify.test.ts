import {
  GITHUB_ACTIONS_ISSUER,
  SLSA_PROVENANCE_V1,
  signImageBundle,
  startSigstoreInfra,
  workflowSan,
  type SigstoreInfra,
} from '@relkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustRoot } from './trust-root.js';
import { BundleVerifier } from './verify.js';

let infra: SigstoreInfra;
beforeAll(async () => {
  infra = await startSigstoreInfra();
});
afterAll(() => infra?.stop());

const digest = `sha256:${'ab'.repeat(32)}`;
const policy = { identity: workflowSan(), issuer: GITHUB_ACTIONS_ISSUER };

describe('BundleVerifier', () => {
  it('verifies a v0.3 attestation and reports the statement and signer', async () => {
    const json = await signImageBundle(infra, { digest, predicateType: SLSA_PROVENANCE_V1 });
    const r = new BundleVerifier({ trustRoot: parseTrustRoot(infra.trustedRoot, 'mock'), policy }).verify(
      json,
      {
        subjectDigest: digest,
      },
    );
    expect(r.content).toMatchObject({ kind: 'dsse', statement: { predicateType: SLSA_PROVENANCE_V1 } });
    expect(r.signer.integratedTime).toBe(infra.clock.toISOString());
  });

  it('fits thresholds to the root: a root without Rekor (like GitHub private-repo roots) needs no tlog entry', async () => {
    const json = await signImageBundle(infra, { digest, tlog: false });
    const full = parseTrustRoot(infra.trustedRoot, 'mock');
    expect(() =>
      new BundleVerifier({ trustRoot: full, policy }).verify(json, { subjectDigest: digest }),
    ).toThrow(/TLOG_ERROR|tlog/i);
    // The mock CA embeds SCTs, which sigstore-js always checks, so the CT log stays trusted.
    const { tlogs: _t, ...rest } = infra.trustedRoot;
    const tsaOnly = parseTrustRoot(rest, 'no-rekor');
    const r = new BundleVerifier({ trustRoot: tsaOnly, policy }).verify(json, { subjectDigest: digest });
    expect(r.signer.tlogIndex).toBeUndefined();
    expect(r.signer.identity).toBe(workflowSan());
    // Explicit thresholds still win.
    expect(() =>
      new BundleVerifier({ trustRoot: tsaOnly, policy, thresholds: { tlog: 1 } }).verify(json, {
        subjectDigest: digest,
      }),
    ).toThrow();
  });

  it('refuses a message-signature bundle without the artifact, and non-bundles', () => {
    const v = new BundleVerifier({ trustRoot: parseTrustRoot(infra.trustedRoot, 'mock'), policy });
    expect(() => v.verify({ mediaType: 'nope' })).toThrow(/not a valid Sigstore bundle/);
  });
});
