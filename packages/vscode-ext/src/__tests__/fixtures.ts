// Plain release data for the unit tests: Observations as the adapters would report them, turned
// into ReleaseStatus by the engine's own pure releaseStatus(). No VS Code, no network.
import {
  parseConfig,
  parseVersion,
  releaseStatus,
  type Observations,
  type ReleaseConfig,
  type ReleaseStatus,
} from '@relkit/release-core';

export const D = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

export const config: ReleaseConfig = parseConfig({
  repository: 'acme/app',
  images: [{ name: 'ghcr.io/acme/app', platforms: ['linux/amd64', 'linux/arm64'] }],
  signing: {
    issuer: 'https://token.actions.githubusercontent.com',
    identityRegexp: 'https://github\\.com/acme/app/.*',
  },
});

export type Shape =
  'published' | 'promoted' | 'unsigned' | 'abandoned' | 'prepared' | 'superseded' | 'rolled-back';

/** Observations of version `v` (digest n) in a given shape; `latest` is the digest latest names. */
export function observations(
  v: string,
  n: number,
  shape: Shape,
  latest: { v: string; n: number },
): Observations {
  const found = (digest: string) =>
    ({
      state: 'found',
      digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      multiArch: true,
      platforms: [
        { os: 'linux', architecture: 'amd64', digest: `${digest.slice(0, -4)}a001` },
        { os: 'linux', architecture: 'arm64', digest: `${digest.slice(0, -4)}a002` },
      ],
    }) as const;
  const digest = D(n);
  const promoted = shape === 'promoted';
  const published = promoted || shape === 'superseded' || shape === 'rolled-back';
  return {
    version: parseVersion(v),
    observedAt: '2026-11-27T00:00:00Z',
    images:
      shape === 'prepared' || shape === 'abandoned'
        ? [
            {
              image: 'ghcr.io/acme/app',
              version: { state: 'missing' },
              latest: found(D(latest.n)),
              latestVersion: latest.v,
              signature: { state: 'not-checked' },
            },
          ]
        : [
            {
              image: 'ghcr.io/acme/app',
              version: found(digest),
              latest: found(promoted ? digest : D(latest.n)),
              latestVersion: promoted ? v : latest.v,
              signature:
                shape === 'unsigned'
                  ? { state: 'unsigned', digest }
                  : {
                      state: 'verified',
                      digest,
                      signer: {
                        identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
                        issuer: 'https://token.actions.githubusercontent.com',
                        tlogIndex: '4242',
                      },
                      attestations: [],
                      provenance: {
                        sourceDigest: 'b'.repeat(40),
                        sourceRef: `refs/tags/${v}`,
                        signerWorkflow: `https://github.com/acme/app/.github/workflows/release.yml@refs/tags/${v}`,
                        runnerEnvironment: 'github-hosted',
                      },
                    },
            },
          ],
    release:
      shape === 'prepared' || shape === 'abandoned'
        ? { state: 'missing' }
        : {
            state: published ? 'published' : 'draft',
            id: n,
            tag: v,
            url: `https://github.com/acme/app/releases/tag/${v}`,
            prerelease: false,
          },
    smoke: { state: 'not-configured' },
    pullRequest: {
      state: shape === 'abandoned' ? 'closed' : published ? 'merged' : 'open',
      number: n,
      url: `https://github.com/acme/app/pull/${n}`,
      head: `release/${v}`,
      base: 'main',
      headSha: 'a'.repeat(40),
      draft: false,
      approved: true,
      approvedOnHead: true,
      checks: [{ name: 'ci / test', state: 'success', url: 'https://github.com/acme/app/actions/runs/1' }],
      mergeable: 'clean',
    },
    versionTag:
      shape === 'prepared' ? { state: 'missing', tag: v } : { state: 'found', tag: v, sha: 'b'.repeat(40) },
    candidateTags: [],
  };
}

export function status(v: string, n: number, shape: Shape, latest = { v: '1.2.2', n: 122 }): ReleaseStatus {
  return releaseStatus(config, observations(v, n, shape, latest));
}
