// derivePhase and the status actions as pure functions of plain observations: one row per
// situation a release can be in, including its life after the promote (superseded, rolled back).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import type {
  GitHubReleaseObservation,
  ImageObservation,
  ManifestObservation,
  Observations,
  PullRequestObservation,
  SmokeObservation,
} from '../observations.js';
import { derivePhase, type Phase } from './phase.js';
import { releaseStatus, withRollbackTargets } from './status.js';
import { parseVersion } from '../version.js';

const config = parseConfig({
  repository: 'acme/app',
  images: [
    { name: 'ghcr.io/acme/app', platforms: ['linux/amd64'] },
    { name: 'ghcr.io/acme/tool', platforms: ['linux/amd64'] },
  ],
  signing: {
    issuer: 'https://token.actions.githubusercontent.com',
    identityRegexp: 'https://github\\.com/acme/app/.*',
  },
  smoke: { repository: 'acme/app-smoke', success: 'published' },
});

const digest = (v: string) => `sha256:${Buffer.from(v).toString('hex').padEnd(64, '0')}`;
const manifest = (v: string): ManifestObservation => ({
  state: 'found',
  digest: digest(v),
  mediaType: 'application/vnd.oci.image.index.v1+json',
  multiArch: true,
  platforms: [{ os: 'linux', architecture: 'amd64', digest: digest(`${v}-amd64`) }],
});

interface Shape {
  /** The version latest names per image (undefined: no latest; 'untagged': a digest no version has). */
  latest?: string | readonly (string | undefined)[] | undefined;
  images?: 'found' | 'missing';
  release?: 'missing' | 'draft' | 'published' | 'prerelease' | 'error';
  pr?: PullRequestObservation['state'];
  smoke?: SmokeObservation['state'];
  tag?: boolean;
  candidates?: number;
}

function observe(version: string, shape: Shape = {}): Observations {
  const names = config.images.map((i) => i.name);
  const latestOf = (i: number) =>
    (Array.isArray(shape.latest) ? shape.latest[i] : shape.latest) as string | undefined;
  const images = names.map((image, i): ImageObservation => {
    const at = latestOf(i);
    return {
      image,
      version: shape.images === 'missing' ? { state: 'missing' } : manifest(version),
      latest: at === undefined ? { state: 'missing' } : manifest(at),
      latestVersion: at === undefined || at === 'untagged' ? undefined : at,
      signature: {
        state: 'verified',
        digest: digest(version),
        signer: { identity: 'https://github.com/acme/app/.github/workflows/release.yml', issuer: 'x' },
        attestations: [],
        provenance: {
          sourceDigest: 'c'.repeat(40),
          sourceRef: `refs/tags/${version}`,
          runnerEnvironment: 'github-hosted',
        },
      },
    };
  });
  const rel = shape.release ?? 'draft';
  const release: GitHubReleaseObservation =
    rel === 'missing'
      ? { state: 'missing' }
      : rel === 'error'
        ? { state: 'error', code: 'NETWORK', message: 'no answer', transient: true }
        : {
            state: rel === 'prerelease' ? 'published' : rel,
            id: 1,
            tag: version,
            url: `https://github.com/acme/app/releases/tag/${version}`,
            prerelease: rel === 'prerelease',
          };
  const prState = shape.pr ?? 'open';
  const pullRequest: PullRequestObservation =
    prState === 'missing' || prState === 'error'
      ? prState === 'missing'
        ? { state: 'missing', head: `release/${version}`, base: 'main' }
        : { state: 'error', code: 'NETWORK', message: 'no answer', transient: true }
      : {
          state: prState,
          number: 7,
          url: 'https://github.com/acme/app/pull/7',
          head: `release/${version}`,
          base: 'main',
          headSha: 'a'.repeat(40),
          draft: false,
          approved: true,
          approvedOnHead: true,
          checks: [{ name: 'ci', state: 'success' }],
          mergeable: 'clean',
          ...(prState === 'merged' ? { mergeCommitSha: 'b'.repeat(40) } : {}),
        };
  const smokeState = shape.smoke ?? 'published';
  const smoke: SmokeObservation =
    smokeState === 'missing'
      ? { state: 'missing', repository: 'acme/app-smoke', tag: version }
      : smokeState === 'not-configured' || smokeState === 'error'
        ? smokeState === 'error'
          ? { state: 'error', code: 'NETWORK', message: 'no answer', transient: true }
          : { state: 'not-configured' }
        : {
            state: smokeState,
            repository: 'acme/app-smoke',
            tag: version,
            url: 'https://example.test/smoke',
          };
  return {
    version: parseVersion(version),
    observedAt: '2026-12-06T00:00:00.000Z',
    images,
    release,
    smoke,
    pullRequest,
    versionTag:
      shape.tag === false
        ? { state: 'missing', tag: version }
        : { state: 'found', tag: version, sha: 'c'.repeat(40) },
    candidateTags: Array.from({ length: shape.candidates ?? 0 }, (_, i) => `${version}-rc${i + 1}`),
  };
}

describe('derivePhase', () => {
  const rows: [string, Shape, Phase, boolean][] = [
    [
      'nothing at all',
      { images: 'missing', release: 'missing', pr: 'missing', tag: false },
      'unknown',
      false,
    ],
    ['an open release PR only', { images: 'missing', release: 'missing', tag: false }, 'prepared', false],
    [
      'a candidate tag',
      { images: 'missing', release: 'missing', tag: false, candidates: 1 },
      'candidate',
      false,
    ],
    ['the version tag', { images: 'missing', release: 'missing' }, 'finalized', false],
    [
      'images and a draft, smoke not yet',
      { release: 'draft', smoke: 'missing', latest: '1.2.2' },
      'published',
      false,
    ],
    ['smoke passed', { release: 'draft', latest: '1.2.2' }, 'smoke-passed', false],
    [
      'smoke as a prerelease',
      { release: 'draft', smoke: 'prerelease', latest: '1.2.2' },
      'smoke-passed',
      false,
    ],
    ['promoted, PR merged', { release: 'published', pr: 'merged', latest: '1.2.3' }, 'promoted', false],
    [
      'promoted, PR no longer findable',
      { release: 'published', pr: 'missing', latest: '1.2.3' },
      'promoted',
      false,
    ],
    [
      'superseded by a newer latest',
      { release: 'published', pr: 'merged', latest: '1.3.0' },
      'superseded',
      false,
    ],
    ['superseded, PR gone', { release: 'published', pr: 'missing', latest: '1.2.4' }, 'superseded', false],
    ['rolled back from', { release: 'published', pr: 'merged', latest: '1.2.2' }, 'rolled-back', false],
    [
      'rolled back from, PR gone',
      { release: 'published', pr: 'missing', latest: '1.0.0' },
      'rolled-back',
      false,
    ],
    ['abandoned', { release: 'draft', pr: 'closed', latest: '1.2.2' }, 'abandoned', false],
    // interrupted promotes: some effects visible, nothing else explains them
    ['latest moved, release still a draft', { release: 'draft', latest: '1.2.3' }, 'smoke-passed', true],
    [
      'latest moved on one image only',
      { release: 'draft', latest: ['1.2.3', '1.2.2'] },
      'smoke-passed',
      true,
    ],
    [
      'latest moved and published, PR still open',
      { release: 'published', latest: '1.2.3' },
      'smoke-passed',
      true,
    ],
    [
      'published but latest on an untagged digest',
      { release: 'published', pr: 'merged', latest: 'untagged' },
      'smoke-passed',
      true,
    ],
    [
      'images split between newer and older',
      { release: 'published', pr: 'merged', latest: ['1.3.0', '1.2.2'] },
      'smoke-passed',
      true,
    ],
    // a prerelease GitHub release is not "published as final"
    [
      'a prerelease with a newer latest',
      { release: 'prerelease', pr: 'merged', latest: '1.3.0' },
      'smoke-passed',
      true,
    ],
  ];
  it.each(rows)('%s → %s', (_, shape, phase, inProgress) => {
    expect(derivePhase(observe('1.2.3', shape))).toEqual({ phase, promoteInProgress: inProgress });
  });
});

describe('releaseStatus actions', () => {
  it('offers promote for a release whose gates pass, and abandon while nothing is public', () => {
    const s = releaseStatus(config, observe('1.2.3', { latest: '1.2.2' }));
    expect(s.actions.promote).toMatchObject({ allowed: true, rollForward: false });
    expect(s.promotable).toBe(true);
    expect(s.actions.abandon).toMatchObject({ allowed: true });
    expect(s.actions.rollbackTo.allowed).toBe(false);
    expect(s.actions.rollbackTo.reason).toMatch(/moving forward is a promote/);
    expect(s.actions.rollback).toMatchObject({ allowed: false, targets: [] });
  });

  it('refuses promote with the first blocking gate as the reason', () => {
    const s = releaseStatus(config, observe('1.2.3', { latest: '1.2.2', smoke: 'missing' }));
    expect(s.actions.promote.allowed).toBe(false);
    expect(s.actions.promote.reason).toMatch(/^gate pending: downstream smoke test/);
    expect(s.promotable).toBe(false);
  });

  it('offers nothing but a rollback from the promoted release, and refuses to abandon it', () => {
    const s = releaseStatus(
      config,
      observe('1.2.3', { release: 'published', pr: 'merged', latest: '1.2.3' }),
    );
    expect(s.phase).toBe('promoted');
    expect(s.actions.promote).toMatchObject({
      allowed: false,
      reason: '1.2.3 is promoted: nothing left to do',
    });
    expect(s.actions.abandon.allowed).toBe(false);
    expect(s.actions.abandon.reason).toMatch(/published/);
    expect(s.actions.rollbackTo).toEqual({ allowed: false, reason: 'latest already names 1.2.3' });
  });

  it('a superseded release can be rolled back to, not promoted or abandoned', () => {
    const s = releaseStatus(
      config,
      observe('1.2.2', { release: 'published', pr: 'missing', latest: '1.2.3' }),
    );
    expect(s.phase).toBe('superseded');
    expect(s.actions.promote.allowed).toBe(false);
    expect(s.actions.promote.reason).toMatch(/rollback/);
    expect(s.actions.rollbackTo).toEqual({ allowed: true, reason: 'latest can move back to 1.2.2' });
    expect(s.actions.abandon.allowed).toBe(false);
  });

  it('a rolled-back release is offered a roll-forward', () => {
    const s = releaseStatus(
      config,
      observe('1.2.3', { release: 'published', pr: 'merged', latest: '1.2.2' }),
    );
    expect(s.phase).toBe('rolled-back');
    expect(s.actions.promote).toMatchObject({ allowed: true, rollForward: true });
    expect(s.actions.promote.reason).toMatch(/^roll forward: latest goes back to 1\.2\.3/);
    expect(s.plan.steps.filter((p) => !p.done).map((p) => p.step.kind)).toEqual(['move-tag', 'move-tag']);
  });

  it('an abandoned release offers nothing', () => {
    const s = releaseStatus(config, observe('1.2.3', { pr: 'closed', latest: '1.2.2' }));
    expect(s.actions.abandon).toEqual({ allowed: false, reason: '1.2.3 is already abandoned' });
    expect(s.actions.promote.allowed).toBe(false);
  });

  it('a release whose signature could not be looked at is not a rollback target', () => {
    const obs = observe('1.2.2', { release: 'published', pr: 'missing', latest: '1.2.3' });
    const broken: Observations = {
      ...obs,
      images: obs.images.map((i) => ({
        ...i,
        signature: { state: 'error', code: 'RATE_LIMITED', message: 'slow down', transient: true },
      })),
    };
    const s = releaseStatus(config, broken);
    expect(s.actions.rollbackTo.allowed).toBe(false);
    expect(s.actions.rollbackTo.reason).toMatch(/^gate pending: signed by the release workflow/);
  });

  it('withRollbackTargets gives the current release the older ones latest may move back to', () => {
    const statuses = withRollbackTargets([
      releaseStatus(config, observe('1.3.0', { release: 'draft', latest: '1.2.3' })),
      releaseStatus(config, observe('1.2.3', { release: 'published', pr: 'merged', latest: '1.2.3' })),
      releaseStatus(config, observe('1.2.2', { release: 'published', pr: 'missing', latest: '1.2.3' })),
      releaseStatus(
        config,
        observe('1.2.1', { release: 'published', pr: 'missing', latest: '1.2.3', images: 'missing' }),
      ),
      releaseStatus(config, observe('1.2.0', { release: 'published', pr: 'missing', latest: '1.2.3' })),
    ]);
    expect(statuses.map((s) => s.version)).toEqual(['1.3.0', '1.2.3', '1.2.2', '1.2.1', '1.2.0']);
    expect(statuses[1]!.actions.rollback).toEqual({
      allowed: true,
      reason: 'latest can move back to 1.2.2, 1.2.0',
      targets: ['1.2.2', '1.2.0'],
    });
    for (const i of [0, 2, 3, 4]) expect(statuses[i]!.actions.rollback.allowed).toBe(false);
  });

  it('withRollbackTargets finds none when no earlier release is verified', () => {
    const [s] = withRollbackTargets([
      releaseStatus(config, observe('1.2.3', { release: 'published', pr: 'merged', latest: '1.2.3' })),
    ]);
    expect(s!.actions.rollback).toEqual({
      allowed: false,
      reason: 'no earlier release that latest could move back to',
      targets: [],
    });
  });
});
