// evaluateGates on plain observations: every promote gate id in every status it can have, each
// row one change to an observation that passes everything. No ports, no fakes: gates are data in,
// data out.
import { describe, expect, it } from 'vitest';
import { parseConfig, type ReleaseConfig } from '../config.js';
import type { GateStatus } from '../engine/gates.js';
import type {
  BuildProvenance,
  ImageObservation,
  Observations,
  PullRequestObservation,
  SignatureObservation,
} from '../observations.js';
import { parseVersion } from '../version.js';
import {
  anyCouldNotLook,
  awaitableGates,
  evaluateGates,
  pullRequestGates,
  summarizeGates,
  type GateId,
  type GateResult,
} from './gates.js';

const IMAGE = 'ghcr.io/acme/app';
type FoundPR = Extract<PullRequestObservation, { readonly number: number }>;
const D = (n: number) => `sha256:${n.toString(16).padStart(2, '0').repeat(32)}`;
const error = { state: 'error', code: 'RATE_LIMITED', message: 'slow down', transient: true } as const;

const config: ReleaseConfig = parseConfig({
  repository: 'acme/app',
  images: [{ name: IMAGE, platforms: ['linux/amd64', 'linux/arm64'] }],
  signing: {
    issuer: 'https://token.actions.githubusercontent.com',
    identityRegexp: 'https://github\\.com/acme/app/.*',
    requireAttestations: ['slsa'],
  },
  smoke: { repository: 'acme/app-smoke', success: 'published' },
  requireApproval: true,
});

/** The commit of tag 1.2.3 (the finalize commit), which CI built the image from. */
const RELEASE_COMMIT = 'b'.repeat(40);
const WORKFLOW = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/release/1.2.3';
const built = (over: Partial<BuildProvenance> = {}): BuildProvenance => ({
  sourceRepository: 'https://github.com/acme/app',
  sourceDigest: RELEASE_COMMIT,
  sourceRef: 'refs/heads/release/1.2.3',
  signerWorkflow: WORKFLOW,
  runnerEnvironment: 'github-hosted',
  ...over,
});

const verified = (
  digest: string,
  attestations: readonly ('slsa' | 'sbom')[] = ['slsa'],
  /** null: a certificate without provenance, or a keyed signature. */
  provenance: BuildProvenance | null = built(),
) =>
  ({
    state: 'verified',
    digest,
    signer: { identity: 'https://github.com/acme/app/.github/workflows/release.yml', issuer: 'gh' },
    attestations,
    ...(provenance ? { provenance } : {}),
    ...(attestations.includes('slsa') ? { slsaSources: [{ sourceDigest: RELEASE_COMMIT }] } : {}),
  }) as const;

/** 1.2.3 ready to promote: every gate passes. */
function image(over: Partial<ImageObservation> = {}): ImageObservation {
  return {
    image: IMAGE,
    version: {
      state: 'found',
      digest: D(3),
      mediaType: 'application/vnd.oci.image.index.v1+json',
      multiArch: true,
      platforms: [
        { os: 'linux', architecture: 'amd64', digest: D(31) },
        { os: 'linux', architecture: 'arm64', variant: 'v8', digest: D(32) },
      ],
    },
    latest: { state: 'found', digest: D(2), mediaType: 'x', multiArch: true, platforms: [] },
    latestVersion: '1.2.2',
    signature: verified(D(3)),
    ...over,
  };
}

function pr(over: Partial<FoundPR> = {}): PullRequestObservation {
  return {
    state: 'open',
    number: 42,
    url: 'https://github.com/acme/app/pull/42',
    head: 'release/1.2.3',
    base: 'main',
    headSha: 'a'.repeat(40),
    draft: false,
    approved: true,
    approvedOnHead: true,
    checks: [{ name: 'ci', state: 'success' }],
    mergeable: 'clean',
    ...over,
  };
}

function observations(over: Partial<Observations> = {}): Observations {
  return {
    version: parseVersion('1.2.3'),
    observedAt: '2026-11-27T00:00:00.000Z',
    images: [image()],
    release: {
      state: 'draft',
      id: 7,
      tag: '1.2.3',
      url: 'https://github.com/acme/app/releases/7',
      prerelease: false,
    },
    smoke: { state: 'published', repository: 'acme/app-smoke', tag: '1.2.3', url: 'https://x/1' },
    pullRequest: pr(),
    versionTag: { state: 'found', tag: '1.2.3', sha: RELEASE_COMMIT },
    candidateTags: ['1.2.3-rc1'],
    ...over,
  };
}

const sig = (s: SignatureObservation) => observations({ images: [image({ signature: s })] });

type Row = [what: string, obs: Observations, id: GateId, status: GateStatus, reason?: RegExp];

const rows: Row[] = [
  ['a final version', observations(), 'version', 'pass'],
  [
    'a candidate',
    observations({ version: parseVersion('1.2.3-rc1') }),
    'version',
    'fail',
    /release candidate/,
  ],

  ['the image is there', observations(), 'image-present', 'pass', /multi-arch index/],
  [
    'the image is missing',
    observations({ images: [image({ version: { state: 'missing' } })] }),
    'image-present',
    'fail',
    /not in the registry/,
  ],
  [
    'the registry could not be read',
    observations({ images: [image({ version: error })] }),
    'image-present',
    'pending',
    /could not look \(RATE_LIMITED\)/,
  ],

  ['every platform', observations(), 'image-platforms', 'pass'],
  [
    'a platform is missing',
    observations({
      images: [
        image({
          version: {
            state: 'found',
            digest: D(3),
            mediaType: 'x',
            multiArch: true,
            platforms: [{ os: 'linux', architecture: 'amd64', digest: D(31) }],
          },
          signature: verified(D(3)),
        }),
      ],
    }),
    'image-platforms',
    'fail',
    /missing linux\/arm64/,
  ],
  [
    'a single-platform manifest',
    observations({
      images: [
        image({
          version: { state: 'found', digest: D(3), mediaType: 'x', multiArch: false, platforms: [] },
        }),
      ],
    }),
    'image-platforms',
    'fail',
    /single-platform/,
  ],

  ['signed', observations(), 'image-signature', 'pass'],
  ['unsigned', sig({ state: 'unsigned', digest: D(3) }), 'image-signature', 'fail', /no signature/],
  [
    'signed by someone else',
    sig({ state: 'rejected', digest: D(3), reasons: ['wrong identity'] }),
    'image-signature',
    'fail',
    /none acceptable: wrong identity/,
  ],
  [
    'signed for another digest',
    sig(verified(D(9))),
    'image-signature',
    'fail',
    /for 090909090909, not 030303030303$/,
  ],
  ['the signatures could not be read', sig(error), 'image-signature', 'pending', /could not look/],

  ['the required attestation verified', observations(), 'image-attestations', 'pass', /verified slsa/],
  ['no attestation', sig(verified(D(3), [])), 'image-attestations', 'fail', /no verified slsa attestation/],
  ['another kind only', sig(verified(D(3), ['sbom'])), 'image-attestations', 'fail', /no verified slsa/],
  ['the attestations could not be read', sig(error), 'image-attestations', 'pending', /could not look/],

  [
    'built from the release commit',
    observations(),
    'image-provenance',
    'pass',
    /^built from bbbbbbbbbbbb \(refs\/heads\/release\/1\.2\.3\) by acme\/app\/\.github\/workflows\/release\.yml on a github-hosted runner$/,
  ],
  [
    'built from the tag',
    sig(verified(D(3), ['slsa'], built({ sourceRef: 'refs/tags/1.2.3' }))),
    'image-provenance',
    'pass',
  ],
  [
    'built from another commit',
    sig(verified(D(3), ['slsa'], built({ sourceDigest: 'c'.repeat(40) }))),
    'image-provenance',
    'fail',
    /^sourceDigest: built from cccccccccccc, not from bbbbbbbbbbbb, the commit of tag 1\.2\.3/,
  ],
  [
    'built from another branch',
    sig(verified(D(3), ['slsa'], built({ sourceRef: 'refs/heads/main' }))),
    'image-provenance',
    'fail',
    /^sourceRef: built from refs\/heads\/main, not refs\/heads\/release\/1\.2\.3 or refs\/tags\/1\.2\.3/,
  ],
  [
    'built on a self-hosted runner',
    sig(verified(D(3), ['slsa'], built({ runnerEnvironment: 'self-hosted' }))),
    'image-provenance',
    'fail',
    /^runnerEnvironment: built on a self-hosted runner/,
  ],
  [
    'a certificate without provenance (or a key)',
    sig(verified(D(3), ['slsa'], null)),
    'image-provenance',
    'fail',
    /^sourceDigest: the signing certificate names no source commit/,
  ],
  [
    'a SLSA provenance of another commit',
    sig({ ...verified(D(3)), slsaSources: [{ sourceDigest: 'c'.repeat(40) }] }),
    'image-provenance',
    'fail',
    /^slsa\.sourceDigest: the SLSA provenance says built from cccccccccccc, not from bbbbbbbbbbbb/,
  ],
  [
    'a SLSA provenance naming no commit',
    sig({ ...verified(D(3)), slsaSources: [{}] }),
    'image-provenance',
    'fail',
    /^slsa\.sourceDigest: the SLSA provenance names no source commit/,
  ],
  [
    'the version tag is missing',
    observations({ versionTag: { state: 'missing', tag: '1.2.3' } }),
    'image-provenance',
    'fail',
    /tag 1\.2\.3 does not exist/,
  ],
  ['the version tag could not be read', observations({ versionTag: error }), 'image-provenance', 'pending'],

  ['newer than latest', observations(), 'latest-order', 'pass', /latest is 1\.2\.2/],
  [
    'older than latest',
    observations({ images: [image({ latestVersion: '1.3.0' })] }),
    'latest-order',
    'fail',
    /that is a rollback/,
  ],
  [
    'the current latest could not be read (not "no latest yet")',
    observations({ images: [image({ latest: error, latestVersion: undefined })] }),
    'latest-order',
    'pending',
    /could not look \(RATE_LIMITED\)/,
  ],

  ['a draft release', observations(), 'draft-release', 'pass', /draft release 1\.2\.3/],
  [
    'a published release (an interrupted promote)',
    observations({
      release: { state: 'published', id: 7, tag: '1.2.3', url: 'https://x/7', prerelease: false },
    }),
    'draft-release',
    'pass',
    /is published/,
  ],
  [
    'no release',
    observations({ release: { state: 'missing' } }),
    'draft-release',
    'fail',
    /run publish first/,
  ],
  ['the releases could not be read', observations({ release: error }), 'draft-release', 'pending'],

  ['the smoke release is published', observations(), 'smoke', 'pass'],
  [
    'the smoke release is only a prerelease',
    observations({ smoke: { state: 'prerelease', repository: 'acme/app-smoke', tag: '1.2.3', url: 'u' } }),
    'smoke',
    'fail',
    /the rule needs published/,
  ],
  [
    'the smoke release is still a draft',
    observations({ smoke: { state: 'draft', repository: 'acme/app-smoke', tag: '1.2.3', url: 'u' } }),
    'smoke',
    'pending',
  ],
  [
    'no smoke release yet',
    observations({ smoke: { state: 'missing', repository: 'acme/app-smoke', tag: '1.2.3' } }),
    'smoke',
    'pending',
    /yet/,
  ],
  ['the smoke repository could not be read', observations({ smoke: error }), 'smoke', 'pending'],

  ['an open PR', observations(), 'pr-open', 'pass', /#42 release\/1\.2\.3 → main/],
  [
    'a merged PR (an interrupted promote)',
    observations({
      pullRequest: { ...(pr() as FoundPR), state: 'merged' },
    }),
    'pr-open',
    'pass',
    /is merged/,
  ],
  [
    'no PR',
    observations({ pullRequest: { state: 'missing', head: 'release/1.2.3', base: 'main' } }),
    'pr-open',
    'fail',
    /no open PR/,
  ],
  [
    'a closed PR',
    observations({
      pullRequest: { ...(pr() as FoundPR), state: 'closed' },
    }),
    'pr-open',
    'fail',
    /closed without merging/,
  ],
  ['the PR could not be read', observations({ pullRequest: error }), 'pr-open', 'pending'],

  ['ready for review', observations(), 'pr-not-draft', 'pass'],
  ['a draft PR', observations({ pullRequest: pr({ draft: true }) }), 'pr-not-draft', 'fail', /is a draft/],

  ['approved', observations(), 'pr-approved', 'pass'],
  ['not approved', observations({ pullRequest: pr({ approved: false }) }), 'pr-approved', 'fail'],
  [
    'the review decision is unknown',
    observations({ pullRequest: pr({ approved: 'unknown' }) }),
    'pr-approved',
    'pending',
  ],

  ['checks green', observations(), 'pr-checks', 'pass', /1 green/],
  [
    'a check failing',
    observations({ pullRequest: pr({ checks: [{ name: 'ci', state: 'failure' }] }) }),
    'pr-checks',
    'fail',
    /failing: ci/,
  ],
  [
    'a check running',
    observations({ pullRequest: pr({ checks: [{ name: 'ci', state: 'pending' }] }) }),
    'pr-checks',
    'pending',
    /running: ci/,
  ],

  [
    'an approval given on an older commit than the head',
    observations({ pullRequest: pr({ approvedOnHead: false }) }),
    'pr-approved',
    'fail',
    /older commit, not on the head aaaaaaa/,
  ],
  [
    'no checks reported on the head',
    observations({ pullRequest: pr({ checks: [] }) }),
    'pr-checks',
    'fail',
    /no checks reported on the head aaaaaaa/,
  ],

  ['mergeable', observations(), 'pr-mergeable', 'pass'],
  [
    'conflicts',
    observations({ pullRequest: pr({ mergeable: 'dirty' }) }),
    'pr-mergeable',
    'fail',
    /conflicts/,
  ],
  [
    'mergeability being computed',
    observations({ pullRequest: pr({ mergeable: 'unknown' }) }),
    'pr-mergeable',
    'pending',
  ],
];

describe('evaluateGates', () => {
  it('passes every gate for a release ready to promote', () => {
    const gates = evaluateGates(config, observations());
    expect(gates.filter((g) => g.status !== 'pass')).toEqual([]);
    expect(summarizeGates(gates)).toBe('pass');
  });

  it('covers every gate id in every status it can have', () => {
    const seen = new Set(rows.map(([, , id, status]) => `${id}:${status}`));
    const ids: GateId[] = [
      'version',
      'image-present',
      'image-platforms',
      'image-signature',
      'image-attestations',
      'image-provenance',
      'latest-order',
      'draft-release',
      'smoke',
      'pr-open',
      'pr-not-draft',
      'pr-approved',
      'pr-checks',
      'pr-mergeable',
    ];
    for (const id of ids)
      expect(
        [...seen].some((s) => s.startsWith(`${id}:`)),
        id,
      ).toBe(true);
    // Statuses a gate cannot reach: version, image-platforms and pr-not-draft are
    // judged on data already read (no "could not look" of their own). image-provenance judges
    // verified signatures only (the signature gate reports the others): pending is the tag's.
    expect(seen.size).toBe(39);
  });

  it.each(rows.map((row) => ({ name: `${row[0]}: ${row[2]} is ${row[3]}`, row })))('$name', ({ row }) => {
    const [, obs, id, status, reason] = row;
    const gates = evaluateGates(config, obs).filter((g) => g.id === id);
    expect(gates.length, `no ${id} gate`).toBeGreaterThan(0);
    const worst = summarizeGates(gates);
    expect(worst).toBe(status);
    if (reason) expect(gates.find((g) => g.status === status)?.reason).toMatch(reason);
    // The verdict of all gates is never better than this one's.
    const verdict = summarizeGates(evaluateGates(config, obs));
    if (status === 'fail') expect(verdict).toBe('fail');
    if (status === 'pending') expect(verdict).not.toBe('pass');
  });

  it('titles say what is true: "draft" only while the release is one; the image only as subject', () => {
    const title = (o: ReturnType<typeof observations>) =>
      evaluateGates(config, o).find((g) => g.id === 'draft-release')?.title;
    expect(title(observations())).toBe('draft GitHub release');
    const published = observations({
      release: { state: 'published', id: 7, tag: '1.2.3', url: 'https://x/7', prerelease: false },
    });
    expect(title(published)).toBe('GitHub release');
    for (const g of evaluateGates(config, observations()).filter((x) => x.subject !== undefined)) {
      const line = `${g.title} [${g.subject}]: ${g.reason}`;
      expect(line.split(g.subject!).length - 1, line).toBe(1);
    }
  });

  it('image gates name their image; the release-wide ones do not', () => {
    const gates = evaluateGates(config, observations());
    for (const g of gates) {
      expect(g.subject !== undefined, g.id).toBe(g.id.startsWith('image-'));
    }
  });

  describe('image-provenance configuration (signing.provenance)', () => {
    const withProvenance = (provenance: object | undefined, signing: object = {}) =>
      parseConfig({ ...config, signing: { ...config.signing, provenance, ...signing } });
    const provenanceGates = (c: ReleaseConfig, obs = observations()) =>
      evaluateGates(c, obs).filter((g) => g.id === 'image-provenance');

    it('is on by default for GitHub Actions, with its evidence (commit, ref, workflow, runner)', () => {
      const [g] = provenanceGates(config);
      expect(g).toMatchObject({ status: 'pass', subject: IMAGE, title: 'built from the release commit' });
      expect(g!.evidence.map((e) => e.label)).toEqual([
        'commit',
        'ref',
        'workflow',
        'runner',
        'SLSA provenance commit',
      ]);
      expect(g!.evidence[0]!.value).toBe(RELEASE_COMMIT);
    });

    it('is off for other issuers, keyed signing, or when disabled; on when enabled', () => {
      expect(provenanceGates(withProvenance(undefined, { issuer: 'https://accounts.google.com' }))).toEqual(
        [],
      );
      expect(provenanceGates(withProvenance({ enabled: false }))).toEqual([]);
      expect(
        provenanceGates(withProvenance({ enabled: true }, { issuer: 'https://gitlab.com' })).length,
      ).toBe(1);
    });

    it('checks the pinned signer workflow exactly, without its @ref', () => {
      const pinned = (w: string) => withProvenance({ signerWorkflow: w });
      expect(provenanceGates(pinned('acme/app/.github/workflows/release.yml'))[0]!.status).toBe('pass');
      expect(provenanceGates(pinned('github.com/acme/app/.github/workflows/release.yml'))[0]!.status).toBe(
        'pass',
      );
      const other = provenanceGates(pinned('acme/app/.github/workflows/build.yml'))[0]!;
      expect(other.status).toBe('fail');
      expect(other.reason).toMatch(
        /^signerWorkflow: built and signed by https:\/\/github\.com\/acme\/app\/\.github\/workflows\/release\.yml@refs\/heads\/release\/1\.2\.3, not https:\/\/github\.com\/acme\/app\/\.github\/workflows\/build\.yml$/,
      );
      expect(provenanceGates(pinned('ghe.example/acme/app/.github/workflows/release.yml'))[0]!.status).toBe(
        'fail',
      );
    });

    it('accepts self-hosted runners only when allowed', () => {
      const obs = sig(verified(D(3), ['slsa'], built({ runnerEnvironment: 'self-hosted' })));
      expect(provenanceGates(withProvenance({ allowSelfHostedRunners: true }), obs)[0]!.status).toBe('pass');
    });

    it('judges every platform when platforms are verified, naming the platform and the field', () => {
      const c = withProvenance(undefined, { verifyPlatforms: true });
      const good = [verified(D(31)), verified(D(32))];
      const ok = provenanceGates(c, observations({ images: [image({ platformSignatures: good })] }));
      expect(ok.map((g) => [g.title, g.status])).toEqual([
        ['built from the release commit', 'pass'],
        ['every platform built from the release commit', 'pass'],
      ]);
      const stale = [verified(D(31)), verified(D(32), [], built({ sourceDigest: 'c'.repeat(40) }))];
      const bad = provenanceGates(c, observations({ images: [image({ platformSignatures: stale })] }));
      expect(bad[1]).toMatchObject({ status: 'fail' });
      expect(bad[1]!.reason).toMatch(/^linux\/arm64\/v8: sourceDigest: built from cccccccccccc/);
    });

    it('leaves unverified signatures to the signature gate', () => {
      for (const s of [{ state: 'unsigned', digest: D(3) } as const, error])
        expect(provenanceGates(config, sig(s))).toEqual([]);
    });

    it('refuses unknown keys and a malformed workflow', () => {
      expect(() => withProvenance({ workflow: 'x' })).toThrow(/workflow/);
      expect(() => withProvenance({ signerWorkflow: 'acme/app' })).toThrow(/OWNER\/REPO\/PATH/);
    });
  });

  it('has no approval gate when the config does not require one, and no smoke gate without smoke', () => {
    const relaxed = parseConfig({ ...config, requireApproval: false, smoke: undefined });
    const ids = evaluateGates(relaxed, observations({ smoke: { state: 'not-configured' } })).map((g) => g.id);
    expect(ids).not.toContain('pr-approved');
    expect(ids).not.toContain('smoke');
  });

  describe('the PR gates judge its current head', () => {
    const gateOf = (c: ReleaseConfig, o: Observations, id: GateId) =>
      evaluateGates(c, o).find((g) => g.id === id)!;

    it('names the head sha in the evidence of the approval and checks gates', () => {
      for (const id of ['pr-approved', 'pr-checks'] as const)
        expect(gateOf(config, observations(), id).evidence).toContainEqual({
          label: 'head',
          value: 'a'.repeat(40),
        });
    });

    it('accepts an approval of an older commit only when the config says so', () => {
      const stale = observations({ pullRequest: pr({ approvedOnHead: false }) });
      expect(gateOf(config, stale, 'pr-approved').status).toBe('fail');
      const lenient = parseConfig({ ...config, pullRequest: { acceptStaleApprovals: true } });
      expect(gateOf(lenient, stale, 'pr-approved')).toMatchObject({ status: 'pass', reason: /stale/ });
    });

    it('requires each configured check to have succeeded on the head', () => {
      const strict = parseConfig({ ...config, pullRequest: { requiredChecks: ['build', 'test'] } });
      const withChecks = (checks: FoundPR['checks']) => observations({ pullRequest: pr({ checks }) });
      expect(gateOf(strict, withChecks([{ name: 'build', state: 'success' }]), 'pr-checks')).toMatchObject({
        status: 'fail',
        reason: /required check test has not run on the head aaaaaaa/,
      });
      expect(
        gateOf(
          strict,
          withChecks([
            { name: 'build', state: 'success' },
            { name: 'test', state: 'skipped' },
          ]),
          'pr-checks',
        ).status,
      ).toBe('fail');
      expect(
        gateOf(
          strict,
          withChecks([
            { name: 'build', state: 'success' },
            { name: 'test', state: 'pending' },
          ]),
          'pr-checks',
        ).status,
      ).toBe('pending');
      // A check that is not required does not decide.
      expect(
        gateOf(
          strict,
          withChecks([
            { name: 'build', state: 'success' },
            { name: 'test', state: 'success' },
            { name: 'lint', state: 'failure' },
          ]),
          'pr-checks',
        ).status,
      ).toBe('pass');
    });

    it('refuses a stale approval and a head without checks in the merge re-check too', () => {
      const moved = { pullRequest: pr({ headSha: 'b'.repeat(40), approvedOnHead: false, checks: [] }) };
      const gates = pullRequestGates(config, moved);
      expect(gates.find((g) => g.id === 'pr-approved')?.status).toBe('fail');
      expect(gates.find((g) => g.id === 'pr-checks')?.status).toBe('fail');
    });
  });

  it('marks the gates that could not look, and only those', () => {
    const gates = evaluateGates(config, observations({ images: [image({ latest: error })] }));
    expect(gates.filter((g) => g.couldNotLook).map((g) => g.id)).toEqual(['latest-order']);
    expect(anyCouldNotLook(gates)).toBe(true);
    const running = evaluateGates(
      config,
      observations({ pullRequest: pr({ checks: [{ name: 'ci', state: 'pending' }] }) }),
    );
    expect(anyCouldNotLook(running)).toBe(false);
  });
});

describe('awaitableGates', () => {
  const g = (id: GateId, status: GateStatus, couldNotLook?: true): GateResult => ({
    id,
    title: id,
    status,
    reason: 'r',
    evidence: [],
    ...(couldNotLook ? { couldNotLook } : {}),
  });
  it('returns the open gates when checks and mergeability are all that is pending', () => {
    const open = [g('pr-checks', 'pending'), g('pr-mergeable', 'pending')];
    expect(awaitableGates([g('version', 'pass'), ...open])).toEqual(open);
  });
  it('is undefined when anything else decides now, or nothing is open', () => {
    expect(awaitableGates([g('pr-checks', 'pending'), g('smoke', 'pending')])).toBeUndefined();
    expect(awaitableGates([g('pr-checks', 'pending'), g('pr-approved', 'fail')])).toBeUndefined();
    expect(awaitableGates([g('pr-mergeable', 'pending', true)])).toBeUndefined();
    expect(awaitableGates([g('version', 'pass')])).toBeUndefined();
  });
});
