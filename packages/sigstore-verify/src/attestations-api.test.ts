// Discovery through GitHub's attestations API, beside the registry: bundles stored by
// actions/attest* without push-to-registry, served by the GitHub simulator (OpenAPI-validated).
import {
  COSIGN_SIGN_PREDICATE,
  GITHUB_ACTIONS_ISSUER,
  SLSA_PROVENANCE_V1,
  pushBundleReferrer,
  pushTestImage,
  signImageBundle,
  startGitHubSimulator,
  startRegistry,
  startSigstoreInfra,
  workflowSan,
  type GitHubSimulator,
  type LocalRegistry,
  type SigstoreInfra,
} from '@relkit/testkit';
import { RegistryClient } from '@relkit/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyImage } from './image.js';
import { toSignatureCheck } from './port.js';
import { registrySignatureStore } from './registry-store.js';
import type { AttestationsApi } from './store.js';
import { parseTrustRoot } from './trust-root.js';
import { BundleVerifier } from './verify.js';

let infra: SigstoreInfra;
let registry: LocalRegistry;
let github: GitHubSimulator;
const REPO = 'acme/widget';
const COMMIT = 'c'.repeat(40);

beforeAll(async () => {
  [infra, registry, github] = await Promise.all([
    startSigstoreInfra(),
    startRegistry(),
    startGitHubSimulator(),
  ]);
  github.createRepo(REPO);
});
afterAll(async () => {
  github?.assertNoViolations();
  await Promise.all([infra?.stop(), registry?.stop(), github?.stop()]);
});

/** The API as an adapter would call it: GET /repos/{owner}/{repo}/attestations/{subject_digest}. */
const api: () => AttestationsApi = () => ({
  async list(digest, signal) {
    const res = await fetch(`${github.url}/repos/${REPO}/attestations/${digest}`, {
      headers: { authorization: `token ${github.readToken}`, accept: 'application/vnd.github+json' },
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw Object.assign(new Error(`attestations: ${res.status}`), { code: 'UNAVAILABLE' });
    const body = (await res.json()) as { attestations: { bundle: unknown }[] };
    return body.attestations.map((a) => a.bundle);
  },
});

describe('verifyImage with GitHub attestations', () => {
  it('finds a SLSA provenance stored at GitHub only, with its source commit', async () => {
    const img = await pushTestImage(registry, { repository: 'acme/widget', tag: '1.0.0', seed: 'gh' });
    const sig = await signImageBundle(infra, { digest: img.digest });
    await pushBundleReferrer(registry, 'acme/widget', img.digest, sig, {
      predicateType: COSIGN_SIGN_PREDICATE,
      fallbackTag: true,
    });
    const provenance = await signImageBundle(infra, {
      digest: img.digest,
      identity: { sha: COMMIT },
      predicateType: SLSA_PROVENANCE_V1,
      predicate: {
        buildDefinition: {
          resolvedDependencies: [
            { uri: 'git+https://github.com/acme/widget@refs/heads/main', digest: { gitCommit: COMMIT } },
          ],
        },
      },
    });
    github.addAttestation(REPO, img.digest, provenance);
    const options = {
      store: registrySignatureStore(new RegistryClient({ retries: 0 }), registry.host),
      verifier: new BundleVerifier({
        trustRoot: parseTrustRoot(infra.trustedRoot, 'mock'),
        policy: { identity: workflowSan(), issuer: GITHUB_ACTIONS_ISSUER },
      }),
      requireAttestations: ['slsa' as const],
    };
    const without = await verifyImage({ repository: 'acme/widget', digest: img.digest }, options);
    expect(without.verdict).toBe('missing-attestation');
    const r = await verifyImage(
      { repository: 'acme/widget', digest: img.digest },
      { ...options, attestationsApi: api() },
    );
    expect(r.verdict).toBe('verified');
    expect(r.attestations).toMatchObject([
      { category: 'slsa-provenance', source: 'github-attestations', slsaSource: { commit: COMMIT } },
    ]);
    expect(toSignatureCheck(r)).toMatchObject({
      state: 'verified',
      attestations: ['slsa'],
      slsaSources: [{ sourceDigest: COMMIT, sourceRef: 'refs/heads/main' }],
    });
  });

  it('reads a failing attestations API as could-not-look, never as absent', async () => {
    const img = await pushTestImage(registry, { repository: 'acme/widget', tag: '2.0.0', seed: 'down' });
    const r = await verifyImage(
      { repository: 'acme/widget', digest: img.digest },
      {
        store: registrySignatureStore(new RegistryClient({ retries: 0 }), registry.host),
        verifier: new BundleVerifier({
          trustRoot: parseTrustRoot(infra.trustedRoot, 'mock'),
          policy: { identity: workflowSan(), issuer: GITHUB_ACTIONS_ISSUER },
        }),
        attestationsApi: {
          list: () => Promise.reject(Object.assign(new Error('503'), { code: 'UNAVAILABLE' })),
        },
      },
    );
    expect(r.verdict).toBe('could-not-look');
    expect(r.lookupProblems).toMatchObject([{ source: 'github-attestations', code: 'UNAVAILABLE' }]);
  });
});
