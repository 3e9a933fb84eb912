import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '@relkit/registry';
import { evaluateGates, parseConfig, parseVersion, type SignatureObservation } from '@relkit/release-core';
import {
  GITHUB_ACTIONS_ISSUER,
  legacyImageSignature,
  pushLegacySignatures,
  pushTestImage,
  startFaultProxy,
  startRegistry,
  startSigstoreInfra,
  workflowSan,
  type LocalRegistry,
  type SigstoreInfra,
} from '@relkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signaturePort } from './port.js';

let infra: SigstoreInfra;
let registry: LocalRegistry;
let trustedRoot: string;
beforeAll(async () => {
  [infra, registry] = await Promise.all([startSigstoreInfra(), startRegistry()]);
  trustedRoot = join(mkdtempSync(join(tmpdir(), 'relkit-port-')), 'trusted_root.json');
  writeFileSync(trustedRoot, JSON.stringify(infra.trustedRoot));
});
afterAll(async () => {
  await Promise.all([infra?.stop(), registry?.stop()]);
});

describe('signaturePort (core SignaturePort shape)', () => {
  it('verified, unsigned, rejected and error are data, and signature tags are listed', async () => {
    const port = signaturePort({ registry: new RegistryClient({ retries: 0 }) });
    const policy = { issuer: GITHUB_ACTIONS_ISSUER, identity: workflowSan(), trustedRoot };
    const img = await pushTestImage(registry, { repository: 'acme/port', tag: '1.0.0' });
    const image = `${registry.host}/acme/port`;
    expect(await port.verify(image, img.digest, policy)).toEqual({ state: 'unsigned', digest: img.digest });
    expect(await port.signatureTags(image, img.digest)).toEqual([]);

    await pushLegacySignatures(registry, 'acme/port', img.digest, 'sig', [
      await legacyImageSignature(infra, { digest: img.digest }),
    ]);
    expect(await port.verify(image, img.digest, policy)).toMatchObject({
      state: 'verified',
      signer: {
        identity: workflowSan(),
        issuer: GITHUB_ACTIONS_ISSUER,
        integratedTime: infra.clock.toISOString(),
      },
      attestations: [],
    });
    expect(await port.signatureTags(image, img.digest)).toEqual([`sha256-${img.digest.slice(7)}.sig`]);
    expect(await port.verify(image, img.digest, { ...policy, identity: `${workflowSan()}x` })).toMatchObject({
      state: 'rejected',
      reasons: [expect.stringContaining('does not match')],
    });
    // The port only reports which attestations verified; core's image-attestations gate decides.
    const lacking = await port.verify(image, img.digest, { ...policy, requireAttestations: ['sbom'] });
    expect(lacking).toMatchObject({ state: 'verified', attestations: [] });
    const gates = evaluateGates(
      parseConfig({
        repository: 'acme/port',
        images: [{ name: image }],
        signing: { ...policy, requireAttestations: ['sbom'] },
      }),
      {
        version: parseVersion('1.0.0'),
        observedAt: new Date(0).toISOString(),
        images: [
          {
            image,
            version: { state: 'found', digest: img.digest, mediaType: '', multiArch: false, platforms: [] },
            latest: { state: 'missing' },
            signature: lacking as SignatureObservation,
          },
        ],
        release: { state: 'missing' },
        smoke: { state: 'not-configured' },
        pullRequest: { state: 'missing', head: '', base: '' },
        versionTag: { state: 'missing', tag: '' },
        candidateTags: [],
      },
    );
    expect(gates.find((g) => g.id === 'image-attestations')).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining('no verified sbom attestation'),
    });

    const proxy = await startFaultProxy(registry.url);
    try {
      proxy.addRule({ match: /\.sig$/, fault: { kind: 'status', status: 429, retryAfter: '1' } });
      const r = await port.verify(`${proxy.host}/acme/port`, img.digest, policy);
      expect(r).toMatchObject({ state: 'error', code: 'RATE_LIMITED', transient: true });
    } finally {
      await proxy.stop();
    }
    expect(
      await port.verify(image, img.digest, { ...policy, trustedRoot: '/nonexistent/root.json' }),
    ).toMatchObject({
      state: 'error',
      code: 'TRUST_ROOT_INVALID',
      transient: false,
    });
  });
});

describe('signaturePort.prepare', () => {
  it('gets the verifier ready ahead and changes no verdict; a policy it cannot use fails at verify, as without it', async () => {
    const port = signaturePort({ registry: new RegistryClient({ retries: 0 }) });
    const policy = { issuer: GITHUB_ACTIONS_ISSUER, identity: workflowSan(), trustedRoot };
    const img = await pushTestImage(registry, { repository: 'acme/prepared', tag: '1.0.0' });
    await pushLegacySignatures(registry, 'acme/prepared', img.digest, 'sig', [
      await legacyImageSignature(infra, { digest: img.digest }),
    ]);
    const image = `${registry.host}/acme/prepared`;
    port.prepare(policy);
    port.prepare(policy); // once per policy
    expect(await port.verify(image, img.digest, policy)).toMatchObject({
      state: 'verified',
      signer: { identity: workflowSan(), issuer: GITHUB_ACTIONS_ISSUER },
    });
    const missingRoot = { ...policy, trustedRoot: '/nonexistent/root.json' };
    expect(() => port.prepare(missingRoot)).not.toThrow();
    expect(() => port.prepare({ issuer: GITHUB_ACTIONS_ISSUER })).not.toThrow();
    expect(await port.verify(image, img.digest, missingRoot)).toMatchObject({
      state: 'error',
      code: 'TRUST_ROOT_INVALID',
    });
    expect(await port.verify(image, img.digest, { issuer: GITHUB_ACTIONS_ISSUER })).toMatchObject({
      state: 'error',
      code: 'POLICY_INVALID',
    });
  });
});

describe('signing.identities across a workflow migration (issue 19)', () => {
  it('an image signed by the old release.yml still verifies when the config lists it beside the new workflow', async () => {
    const port = signaturePort({ registry: new RegistryClient({ retries: 0 }) });
    const oldSan = workflowSan({
      workflow: '.github/workflows/release.yml',
      ref: 'refs/heads/release/1.4.0',
    });
    const img = await pushTestImage(registry, { repository: 'acme/widget', tag: '1.4.0' });
    const image = `${registry.host}/acme/widget`;
    await pushLegacySignatures(registry, 'acme/widget', img.digest, 'sig', [
      await legacyImageSignature(infra, {
        digest: img.digest,
        identity: { workflow: '.github/workflows/release.yml', ref: 'refs/heads/release/1.4.0' },
      }),
    ]);
    const newOnly = {
      issuer: GITHUB_ACTIONS_ISSUER,
      identityRegexp:
        'https://github\\.com/acme/widget/\\.github/workflows/release-publish\\.yml@refs/heads/release/.+',
    };
    // Each regexp passes core's identity policy (pinned to https://github.com/acme/widget/).
    const migrated = parseConfig({
      repository: 'acme/widget',
      signing: {
        ...newOnly,
        identities: [
          {
            identityRegexp:
              'https://github\\.com/acme/widget/\\.github/workflows/release\\.yml@refs/heads/release/.+',
          },
        ],
      },
    }).signing!;
    expect(await port.verify(image, img.digest, { ...newOnly, trustedRoot })).toMatchObject({
      state: 'rejected',
      reasons: [expect.stringContaining('does not match')],
    });
    expect(await port.verify(image, img.digest, { ...migrated, trustedRoot })).toMatchObject({
      state: 'verified',
      signer: { identity: oldSan, issuer: GITHUB_ACTIONS_ISSUER },
    });
    // An exact identity works in the list too; one naming another workflow does not widen it.
    expect(
      await port.verify(image, img.digest, { ...newOnly, identities: [{ identity: oldSan }], trustedRoot }),
    ).toMatchObject({ state: 'verified' });
    expect(
      await port.verify(image, img.digest, {
        ...newOnly,
        identities: [{ identity: `${oldSan}x` }],
        trustedRoot,
      }),
    ).toMatchObject({ state: 'rejected', reasons: [expect.stringContaining('any of')] });
  });

  it("core's identity policy refuses a listed regexp that does not pin the repository", () => {
    expect(() =>
      parseConfig({
        repository: 'acme/widget',
        signing: {
          issuer: GITHUB_ACTIONS_ISSUER,
          identityRegexp: 'https://github\\.com/acme/widget/\\.github/workflows/release-publish\\.yml@.+',
          identities: [{ identityRegexp: 'https://github\\.com/.+/release\\.yml@.+' }],
        },
      }),
    ).toThrow(/signing\.identities\[0\]\.identityRegexp/);
  });
});
