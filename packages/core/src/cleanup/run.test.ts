import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import type { ManifestObservation } from '../observations.js';
import type { PackageVersion, ReleasePorts } from '../ports.js';
import { parseVersion } from '../version.js';
import { candidateImageTags, cleanupRelease } from './run.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const index = (digest: string, children: string[]): ManifestObservation => ({
  state: 'found',
  digest,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  multiArch: true,
  platforms: children.map((c, i) => ({ os: 'linux', architecture: i ? 'arm64' : 'amd64', digest: c })),
});

/** A GHCR-like world: package versions, manifests by tag or digest, a forge with RC tags. */
function world(
  via: 'auto' | 'registry' = 'auto',
  extra: Record<string, unknown> = {},
  ociDeletes: 'refused' | 'allowed' = 'refused',
) {
  let versions: PackageVersion[] = [
    { id: 1, digest: d('1'), tags: ['1.2.3', 'latest'] },
    { id: 2, digest: d('a'), tags: [] },
    { id: 3, digest: d('b'), tags: [] },
    { id: 10, digest: d('c'), tags: ['1.2.3-rc1'] },
    { id: 11, digest: d('e'), tags: [] },
    { id: 12, digest: d('f'), tags: [] },
  ];
  const manifests: Record<string, ManifestObservation> = {
    '1.2.3': index(d('1'), [d('a'), d('b')]),
    latest: index(d('1'), [d('a'), d('b')]),
    '1.2.3-rc1': index(d('c'), [d('e'), d('f')]),
    [d('c')]: index(d('c'), [d('e'), d('f')]),
  };
  const calls: string[] = [];
  const refusal = Object.assign(new Error('ghcr.io answered 405 (UNSUPPORTED)'), { code: 'UNSUPPORTED' });
  const ports = {
    registry: {
      observeManifest: async (_i: string, ref: string) => manifests[ref] ?? { state: 'missing' },
      listTags: async () => ['1.2.3', 'latest', '1.2.3-rc1'],
      retag: async () => ({ digest: '', skipped: true }),
      deleteManifest: async (_i: string, digest: string) => {
        calls.push(`oci-delete ${digest}`);
        if (ociDeletes === 'refused') throw refusal;
      },
    },
    signatures: { verify: async () => ({ state: 'missing' }) },
    forge: {
      listTags: async () => ['1.2.3-rc1', '1.2.3-rc2'],
      observeRelease: async (tag: string) =>
        tag === '1.2.3-rc1'
          ? { state: 'draft', id: 7, tag, url: 'u', prerelease: true }
          : { state: 'published', id: 8, tag, url: 'u', prerelease: true },
      deleteDraftRelease: async (tag: string) => void calls.push(`delete draft ${tag}`),
      deleteTag: async (tag: string) => void calls.push(`delete tag ${tag}`),
    },
    packages: {
      listVersions: async () => versions,
      deleteVersion: async (_i: string, id: number) => {
        calls.push(`delete version ${id}`);
        versions = versions.filter((v) => v.id !== id);
        return true;
      },
    },
  } as unknown as ReleasePorts;
  const config = parseConfig({
    repository: 'acme/app',
    images: [{ name: 'ghcr.io/acme/app' }],
    signing: {
      issuer: 'https://token.actions.githubusercontent.com',
      identityRegexp: '^https://github\\.com/acme/app/',
    },
    cleanup: { via, ...extra },
  });
  return { ports, config, calls };
}

describe('cleanupRelease', () => {
  it('deletes the RC versions through the Packages API and keeps X.Y.Z and latest with their children', async () => {
    const w = world();
    const r = await cleanupRelease(w.config, w.ports, parseVersion('1.2.3'));
    expect(r.status).toBe('succeeded');
    expect(r.images[0]?.route).toBe('packages-api');
    expect(r.images[0]?.deleted).toEqual([10, 11, 12]);
    expect(w.calls).toEqual(['delete version 10', 'delete version 11', 'delete version 12']);
    expect(r.refs).toEqual([]);
  });

  it('deletes nothing on a dry run, and says what it would delete', async () => {
    const w = world();
    const r = await cleanupRelease(w.config, w.ports, parseVersion('1.2.3'), { dryRun: true });
    expect(r.images[0]?.delete.map((x) => x.version.id)).toEqual([10, 11, 12]);
    expect(r.images[0]?.deleted).toEqual([]);
    expect(w.calls).toEqual([]);
  });

  it('reports the 405 UNSUPPORTED of the OCI route with the way out', async () => {
    const w = world('registry');
    const r = await cleanupRelease(w.config, w.ports, parseVersion('1.2.3'));
    expect(r.status).toBe('failed');
    expect(r.images[0]?.error?.code).toBe('UNSUPPORTED');
    expect(r.images[0]?.error?.message).toMatch(/GitHub Packages API/);
    expect(r.images[0]?.error?.message).toMatch(/"via": "packages-api"/);
  });

  it('takes the OCI route where the registry deletes manifests, with the same decision', async () => {
    const w = world('registry', {}, 'allowed');
    const r = await cleanupRelease(w.config, w.ports, parseVersion('1.2.3'));
    expect(r.status).toBe('succeeded');
    expect(r.images[0]?.route).toBe('registry');
    expect(w.calls).toEqual([`oci-delete ${d('c')}`]);
  });

  it('deletes RC draft pre-releases and then their tags when asked; never a published one', async () => {
    const w = world('auto', { gitTags: true, draftReleases: true });
    const r = await cleanupRelease(w.config, w.ports, parseVersion('1.2.3'));
    expect(w.calls).toContain('delete draft 1.2.3-rc1');
    expect(w.calls).toContain('delete tag 1.2.3-rc1');
    expect(w.calls).not.toContain('delete tag 1.2.3-rc2');
    expect(r.refs.filter((x) => x.action === 'keep').map((x) => `${x.kind} ${x.tag}`)).toEqual([
      'draft-release 1.2.3-rc2',
      'git-tag 1.2.3-rc2',
    ]);
  });

  it('refuses an RC version and never runs before X.Y.Z exists', async () => {
    const w = world();
    await expect(cleanupRelease(w.config, w.ports, parseVersion('1.2.3-rc1'))).rejects.toThrow(/candidate/);
    const r = await cleanupRelease(w.config, w.ports, parseVersion('1.2.4'));
    expect(r.images[0]?.error?.message).toMatch(/not in the registry/);
    expect(w.calls).toEqual([]);
  });
});

describe('candidateImageTags', () => {
  it('finds X.Y.Z-rcN and per-platform X.Y.Z-rcN-arch tags only', () => {
    expect(
      candidateImageTags(parseVersion('1.2.3'), [
        '1.2.3',
        '1.2.3-rc1',
        '1.2.3-rc1-amd64',
        '1.2.30-rc1',
        '1.2.4-rc1-arm64',
        'latest',
      ]),
    ).toEqual(['1.2.3-rc1', '1.2.3-rc1-amd64']);
  });
});
