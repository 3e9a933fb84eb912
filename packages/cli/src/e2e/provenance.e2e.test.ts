// End-to-end: the image-provenance gate through the real release-cli process. The mock Fulcio
// issues certificates with GitHub Actions' build extensions (source commit, ref, signer
// workflow, runner), so each world differs from the release world only in how CI built X.Y.Z.
import { afterEach, describe, expect, it } from 'vitest';
import { startReleaseWorld, type ReleaseWorld, type ReleaseWorldOptions } from '@relkit/testkit';
import { runCli } from './harness.js';

let world: ReleaseWorld | undefined;
afterEach(async () => {
  world?.github.assertNoViolations();
  await world?.stop();
  world = undefined;
});

interface Gate {
  id: string;
  title: string;
  status: string;
  reason: string;
  evidence: { label: string; value: string }[];
}

async function provenanceGates(options: ReleaseWorldOptions) {
  world = await startReleaseWorld(options);
  const r = await runCli(world, ['status', world.version, '--json']);
  // Nothing on stderr but the progress line a slow (loaded) machine may print after 2 s.
  expect(r.stderr.replace(/^still waiting for .*\n/gm, '')).toBe('');
  const st = JSON.parse(r.stdout) as { promotable: boolean; gates: Gate[] };
  // The signature itself must have verified: provenance is only read from a verified certificate.
  expect(st.gates.filter((g) => g.id === 'image-signature').map((g) => [g.status, g.reason])).toEqual(
    st.gates.filter((g) => g.id === 'image-signature').map((g) => ['pass', g.reason]),
  );
  return {
    promotable: st.promotable,
    gates: st.gates.filter((g) => g.id === 'image-provenance'),
    all: st.gates,
  };
}

const tagCommit = (w: ReleaseWorld) => w.github.refSha(w.repository, `refs/tags/${w.version}`);

describe('image-provenance end to end', () => {
  it('passes for an image built from the commit of the version tag, with its evidence, in status', async () => {
    const { gates, promotable } = await provenanceGates({});
    expect(promotable).toBe(true);
    expect(gates).toHaveLength(1);
    const [g] = gates;
    expect(g!.status).toBe('pass');
    const ev = Object.fromEntries(g!.evidence.map((e) => [e.label, e.value]));
    expect(ev).toMatchObject({
      commit: tagCommit(world!),
      ref: `refs/heads/release/${world!.version}`,
      workflow: `https://github.com/acme/app/.github/workflows/release.yml@refs/heads/release/${world!.version}`,
      runner: 'github-hosted',
      'SLSA provenance commit': tagCommit(world!),
    });
    expect(ev.run).toMatch(/^https:\/\/github\.com\/acme\/app\/actions\/runs\//);
    const text = await runCli(world!, ['status', world!.version]);
    expect(text.stdout).toContain('built from the release commit');
  });

  it('fails an image built from another commit, naming sourceDigest, and refuses the promote', async () => {
    const stale = 'f'.repeat(40);
    const { gates } = await provenanceGates({ versionBuild: { sha: stale } });
    expect(gates[0]).toMatchObject({ status: 'fail' });
    expect(gates[0]!.reason).toMatch(
      /^sourceDigest: built from ffffffffffff, not from [0-9a-f]{12}, the commit of tag 1\.2\.3/,
    );
    const r = await runCli(world!, ['promote', world!.version, '--yes']);
    expect(r.code).toBe(3);
  });

  it('fails an image built on a self-hosted runner, naming runnerEnvironment', async () => {
    const { gates } = await provenanceGates({ versionBuild: { runnerEnvironment: 'self-hosted' } });
    expect(gates[0]).toMatchObject({ status: 'fail' });
    expect(gates[0]!.reason).toMatch(/^runnerEnvironment: built on a self-hosted runner/);
  });

  it('fails an image built by another workflow than the pinned one, naming signerWorkflow', async () => {
    const { gates, all } = await provenanceGates({
      versionBuild: { workflow: '.github/workflows/nightly.yml' },
      signing: {
        identityRegexp: 'https://github\\.com/acme/app/\\.github/workflows/.+@refs/heads/release/.*',
        provenance: { signerWorkflow: 'acme/app/.github/workflows/release.yml' },
      },
    });
    // Who signed is acceptable to the (broad) identity; what built it is not.
    expect(all.find((g) => g.id === 'image-signature')?.status).toBe('pass');
    expect(gates[0]).toMatchObject({ status: 'fail' });
    expect(gates[0]!.reason).toMatch(
      /^signerWorkflow: built and signed by https:\/\/github\.com\/acme\/app\/\.github\/workflows\/nightly\.yml@refs\/heads\/release\/1\.2\.3, not https:\/\/github\.com\/acme\/app\/\.github\/workflows\/release\.yml$/,
    );
  });

  it('fails an image whose SLSA provenance names another commit, naming slsa.sourceDigest', async () => {
    const { gates } = await provenanceGates({ slsaCommit: 'd'.repeat(40) });
    expect(gates[0]).toMatchObject({ status: 'fail' });
    expect(gates[0]!.reason).toMatch(
      /^slsa\.sourceDigest: the SLSA provenance says built from dddddddddddd, not from [0-9a-f]{12}/,
    );
  });

  it("finds the SLSA provenance through GitHub's attestations API when it is not in the registry", async () => {
    const { gates, all, promotable } = await provenanceGates({ attestAt: 'github' });
    expect(all.find((g) => g.id === 'image-attestations')).toMatchObject({ status: 'pass' });
    expect(gates[0]).toMatchObject({ status: 'pass' });
    expect(gates[0]!.evidence.find((e) => e.label === 'SLSA provenance commit')?.value).toBe(
      tagCommit(world!),
    );
    expect(promotable).toBe(true);
    expect(
      world!.github.requests.some(
        (r) => r.operation === 'GET /repos/{owner}/{repo}/attestations/{subject_digest}',
      ),
    ).toBe(true);
  });

  it('checks every platform manifest when platforms are signed and verified', async () => {
    const { gates } = await provenanceGates({ signPlatforms: { build: { sha: 'e'.repeat(40) } } });
    expect(gates.map((g) => [g.title, g.status])).toEqual([
      ['built from the release commit', 'pass'],
      ['every platform built from the release commit', 'fail'],
    ]);
    expect(gates[1]!.reason).toMatch(/^linux\/amd64: sourceDigest: built from eeeeeeeeeeee/);
  });

  it('passes every platform built from the release commit', async () => {
    const { gates, promotable } = await provenanceGates({ signPlatforms: true });
    expect(gates.map((g) => [g.title, g.status])).toEqual([
      ['built from the release commit', 'pass'],
      ['every platform built from the release commit', 'pass'],
    ]);
    expect(promotable).toBe(true);
  });
});
