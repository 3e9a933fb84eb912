import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BundleVerifier, publicGoodTrustRoot } from './conformance.js';
import { compilePolicy } from './policy.js';
import { provenanceOf } from './port.js';
import { compileProvenance, signerWorkflowUri, withoutRef } from './provenance.js';
import { slsaSourceOf } from './slsa.js';

function sharedDir(): string {
  if (process.env.RELKIT_SHARED_DIR) return process.env.RELKIT_SHARED_DIR;
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'nx.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('no nx.json above this test: set RELKIT_SHARED_DIR');
    d = up;
  }
  return join(d, '..', 'shared');
}

// A real certificate issued by Fulcio in GitHub Actions (sigstore-conformance's OIDC beacon).
const CONFORMANCE = join(sharedDir(), 'data', 'sigstore-conformance');
const BEACON = 'sigstore-conformance/extremely-dangerous-public-oidc-beacon';
const IDENTITY = `https://github.com/${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main`;
const ISSUER = 'https://token.actions.githubusercontent.com';
const COMMIT = 'c7b3dfb335f051e1c86bda4c716fac97df62ad81';
const bundle = () =>
  JSON.parse(readFileSync(join(CONFORMANCE, 'happy-path-v0.3', 'bundle.sigstore.json'), 'utf8')) as unknown;
const artifact = () => readFileSync(join(CONFORMANCE, 'a.txt'));
const verify = (over: object) =>
  new BundleVerifier({
    trustRoot: publicGoodTrustRoot(),
    policy: { identity: IDENTITY, issuer: ISSUER, ...over },
  }).verify(bundle(), { artifact: artifact() });

describe('provenance from a real GitHub Actions certificate', () => {
  it('decodes the build extensions as DER', () => {
    const { signer } = verify({});
    expect(provenanceOf(signer)).toEqual({
      sourceRepository: `https://github.com/${BEACON}`,
      sourceDigest: COMMIT,
      sourceRef: 'refs/heads/main',
      signerWorkflow: IDENTITY,
      runnerEnvironment: 'github-hosted',
      buildTrigger: 'workflow_dispatch',
      runInvocation: `https://github.com/${BEACON}/actions/runs/8347481628/attempts/1`,
    });
  });

  it('accepts the commit, ref, workflow (host by default or given) and a GitHub-hosted runner', () => {
    for (const signerWorkflow of [
      `${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml`,
      `github.com/${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml`,
    ])
      expect(
        verify({
          sourceDigest: COMMIT,
          sourceRef: 'refs/heads/main',
          signerWorkflow,
          denySelfHostedRunners: true,
        }).signer.identity,
      ).toBe(IDENTITY);
  });

  it('rejects another commit, ref or workflow, naming the field', () => {
    expect(() => verify({ sourceDigest: 'b'.repeat(40) })).toThrow(
      /sourceDigest: the certificate's sourceRepositoryDigest \(1\.3\.6\.1\.4\.1\.57264\.1\.13\) is "c7b3dfb3/,
    );
    expect(() => verify({ sourceRef: 'refs/tags/v1.0.0' })).toThrow(
      /sourceRef: .*"refs\/heads\/main", expected "refs\/tags\/v1\.0\.0"/,
    );
    expect(() => verify({ signerWorkflow: `${BEACON}/.github/workflows/other.yml` })).toThrow(
      /signerWorkflow: /,
    );
    // Exact, not a prefix: the workflow's directory is not the workflow.
    expect(() => verify({ signerWorkflow: `${BEACON}/.github/workflows` })).toThrow(/signerWorkflow: /);
    expect(() =>
      verify({
        signerWorkflow: `ghe.example/${BEACON}/.github/workflows/extremely-dangerous-oidc-beacon.yml`,
      }),
    ).toThrow(/signerWorkflow: .*expected "https:\/\/ghe\.example\//);
  });
});

describe('compileProvenance', () => {
  const check = (policy: object, claims: object) => compileProvenance(policy)?.(claims);

  it('is nothing to check without fields', () => {
    expect(compileProvenance({})).toBeUndefined();
    expect(compileProvenance({ denySelfHostedRunners: false })).toBeUndefined();
  });

  it('denies self-hosted and unknown runners when asked', () => {
    expect(check({ denySelfHostedRunners: true }, { runnerEnvironment: 'github-hosted' })).toBeUndefined();
    expect(check({ denySelfHostedRunners: true }, { runnerEnvironment: 'self-hosted' })).toMatch(
      /^denySelfHostedRunners: the certificate's runnerEnvironment \(1\.3\.6\.1\.4\.1\.57264\.1\.11\) is "self-hosted"/,
    );
    expect(check({ denySelfHostedRunners: true }, {})).toMatch(/runnerEnvironment .* is missing/);
  });

  it('compares exactly (no prefix, no case folding) and reports a missing claim', () => {
    const sha = 'a'.repeat(40);
    expect(check({ sourceDigest: sha }, { sourceRepositoryDigest: sha })).toBeUndefined();
    expect(check({ sourceDigest: sha }, { sourceRepositoryDigest: `${sha}0` })).toMatch(/^sourceDigest/);
    expect(check({ sourceDigest: sha }, {})).toMatch(/sourceRepositoryDigest .* is missing/);
    expect(check({ sourceRef: 'refs/tags/v1' }, { sourceRepositoryRef: 'refs/tags/v10' })).toMatch(
      /^sourceRef/,
    );
  });

  it('refuses an abbreviated commit, an empty ref and a malformed workflow', () => {
    expect(() => compileProvenance({ sourceDigest: 'c7b3dfb' })).toThrow(/full lowercase commit SHA/);
    expect(() => compileProvenance({ sourceRef: '' })).toThrow(/sourceRef is empty/);
    expect(() => signerWorkflowUri('acme/app')).toThrow(/OWNER\/REPO\/PATH/);
    expect(() => signerWorkflowUri('acme/app/.github/workflows/r.yml@refs/heads/main')).toThrow(/OWNER/);
  });

  it('reads [HOST/]OWNER/REPO/PATH and strips @ref from the build signer URI', () => {
    expect(signerWorkflowUri('acme/app/.github/workflows/r.yml')).toBe(
      'https://github.com/acme/app/.github/workflows/r.yml',
    );
    expect(signerWorkflowUri('github.example.com/acme/app/.github/workflows/r.yml')).toBe(
      'https://github.example.com/acme/app/.github/workflows/r.yml',
    );
    expect(withoutRef('https://github.com/a/b/.github/workflows/r.yml@refs/tags/v1')).toBe(
      'https://github.com/a/b/.github/workflows/r.yml',
    );
  });

  it('runs after the identity and claims of a certificate policy, and never for a key', () => {
    const p = compilePolicy({ identity: IDENTITY, issuer: ISSUER, sourceRef: 'refs/tags/v1' });
    const facts = { identity: IDENTITY, issuer: ISSUER, publicKeySpki: Buffer.from('k') };
    expect(p.check({ ...facts, claims: { sourceRepositoryRef: 'refs/tags/v1' } })).toBeUndefined();
    expect(p.check({ ...facts, claims: { sourceRepositoryRef: 'refs/heads/x' } })).toMatch(/^sourceRef/);
  });
});

describe('slsaSourceOf', () => {
  const statement = (buildDefinition: unknown) => ({
    predicateType: 'https://slsa.dev/provenance/v1',
    subject: [],
    predicate: { buildDefinition },
  });

  it("reads GitHub's workflow build type: the git dependency's commit and ref", () => {
    expect(
      slsaSourceOf(
        statement({
          buildType: 'https://actions.github.io/buildtypes/workflow/v1',
          externalParameters: {
            workflow: { ref: 'refs/tags/1.2.3', repository: 'https://github.com/acme/app' },
          },
          resolvedDependencies: [
            {
              uri: 'git+https://github.com/acme/app@refs/heads/release/1.2.3',
              digest: { gitCommit: COMMIT },
            },
          ],
        }),
      ),
    ).toEqual({ commit: COMMIT, ref: 'refs/heads/release/1.2.3' });
  });

  it('falls back to the workflow ref, and names nothing for other shapes', () => {
    expect(
      slsaSourceOf(
        statement({
          externalParameters: { workflow: { ref: 'refs/tags/1.2.3' } },
          resolvedDependencies: [{ uri: 'git+https://github.com/acme/app', digest: { gitCommit: COMMIT } }],
        }),
      ),
    ).toEqual({ commit: COMMIT, ref: 'refs/tags/1.2.3' });
    expect(slsaSourceOf(statement({ buildType: 'x' }))).toBeUndefined();
    expect(
      slsaSourceOf(statement({ resolvedDependencies: [{ uri: 'https://x', digest: { sha256: 'a' } }] })),
    ).toBeUndefined();
    expect(slsaSourceOf(undefined)).toBeUndefined();
  });
});
