import { describe, expect, it } from 'vitest';
import { cleanupRoute, imageHost } from './route.js';
import { selectCandidateVersions, signatureTagSubject } from './select.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const hex = (c: string) => c.repeat(64);

// A GHCR package after 1.2.3 was promoted: 1.2.3 is a multi-arch index (children a1, a2) that
// latest names too; rc1 and rc2 are older indexes with their own children; rc3 was retagged
// as 1.2.3 (same digest), so it must survive.
const versions = [
  { id: 1, digest: d('1'), tags: ['1.2.3', 'latest', '1.2.3-rc3'] },
  { id: 2, digest: d('a'), tags: [] },
  { id: 3, digest: d('b'), tags: [] },
  { id: 10, digest: d('c'), tags: ['1.2.3-rc1'] },
  { id: 11, digest: d('e'), tags: [] },
  { id: 12, digest: d('f'), tags: [] },
  { id: 20, digest: d('2'), tags: ['1.2.3-rc2', '1.2.3-rc2-amd64'] },
  { id: 21, digest: d('3'), tags: [] },
  { id: 30, digest: d('4'), tags: [`sha256-${hex('c')}.sig`] },
  { id: 31, digest: d('5'), tags: [`sha256-${hex('c')}`] },
  { id: 32, digest: d('6'), tags: [`sha256-${hex('1')}.sig`] },
  { id: 40, digest: d('7'), tags: ['1.2.2'] },
];
const keep = [
  { name: '1.2.3', digest: d('1'), children: [d('a'), d('b')] },
  { name: 'latest', digest: d('1'), children: [d('a'), d('b')] },
];

describe('selectCandidateVersions', () => {
  const sel = selectCandidateVersions({
    versions,
    candidateTags: ['1.2.3-rc1', '1.2.3-rc2', '1.2.3-rc2-amd64', '1.2.3-rc3'],
    candidateChildren: new Map([
      [d('c'), [d('e'), d('f')]],
      // rc2's arm64 manifest is also 1.2.3's: never deleted (it would break the 1.2.3 index).
      [d('2'), [d('3'), d('a')]],
      [d('1'), [d('a'), d('b')]],
    ]),
    keep,
  });
  const ids = (xs: readonly { version: { id: number } }[]) =>
    xs.map((x) => x.version.id).sort((a, b) => a - b);

  it('deletes the RC indexes, their own platform manifests and their signatures', () => {
    expect(ids(sel.delete)).toEqual([10, 11, 12, 20, 21, 30, 31]);
    expect(sel.delete.find((x) => x.version.id === 10)?.why).toBe('candidate');
    expect(sel.delete.find((x) => x.version.id === 11)?.why).toBe('candidate-platform');
    expect(sel.delete.find((x) => x.version.id === 30)?.why).toBe('candidate-signature');
  });

  it('keeps X.Y.Z, latest and their platform manifests, saying why', () => {
    expect(ids(sel.keep)).toEqual([1, 2, 3, 32, 40]);
    expect(sel.keep.find((k) => k.version.id === 1)?.reason).toMatch(/also 1\.2\.3 and latest/);
    expect(sel.keep.find((k) => k.version.id === 2)?.reason).toMatch(/platform manifest of 1\.2\.3/);
    expect(sel.keep.find((k) => k.version.id === 3)?.reason).toBe('it is a platform manifest of 1.2.3');
    expect(sel.keep.find((k) => k.version.id === 40)?.reason).toMatch(
      /not an RC of this version \(1\.2\.2\)/,
    );
  });

  it('never deletes other versions, X.Y.Z’s signatures or untagged versions it was not told about', () => {
    const deleted = new Set(ids(sel.delete));
    for (const id of [3, 32, 40]) expect(deleted.has(id)).toBe(false);
    expect(sel.keep.find((k) => k.version.id === 32)?.reason).toMatch(/not an RC/);
  });

  it('keeps an RC version that carries another tag (deleting it deletes the tag)', () => {
    const s = selectCandidateVersions({
      versions: [{ id: 5, digest: d('9'), tags: ['1.2.3-rc1', 'edge'] }],
      candidateTags: ['1.2.3-rc1'],
      candidateChildren: new Map([[d('9'), [d('8')]]]),
      keep: [],
    });
    expect(s.delete).toEqual([]);
    expect(s.keep.map((k) => k.reason)).toEqual([expect.stringMatching(/also tagged edge/)]);
  });

  it('keeps a platform manifest an RC shares with latest when X.Y.Z differs', () => {
    const s = selectCandidateVersions({
      versions: [
        { id: 1, digest: d('c'), tags: ['1.2.3-rc1'] },
        { id: 2, digest: d('e'), tags: [] },
        { id: 3, digest: d('f'), tags: [] },
      ],
      candidateTags: ['1.2.3-rc1'],
      candidateChildren: new Map([[d('c'), [d('e'), d('f')]]]),
      keep: [
        { name: '1.2.3', digest: d('1'), children: [] },
        { name: 'latest', digest: d('2'), children: [d('f')] },
      ],
    });
    expect(ids(s.delete)).toEqual([1, 2]);
    expect(s.keep.map((k) => k.reason)).toEqual([
      expect.stringMatching(/RC index .* platform manifest of latest/),
    ]);
  });

  it('deletes nothing when there is no RC', () => {
    const none = selectCandidateVersions({ versions, candidateTags: [], keep });
    expect(none.delete).toEqual([]);
    expect(none.keep).toHaveLength(versions.length);
  });
});

describe('signatureTagSubject', () => {
  it('reads cosign and referrers fallback tags', () => {
    expect(signatureTagSubject(`sha256-${hex('a')}.sig`)).toBe(d('a'));
    expect(signatureTagSubject(`sha256-${hex('a')}`)).toBe(d('a'));
    expect(signatureTagSubject('1.2.3')).toBeUndefined();
    expect(signatureTagSubject('sha256-abc.sig')).toBeUndefined();
  });
});

describe('cleanupRoute', () => {
  it('picks the Packages API for ghcr.io by default, the OCI API elsewhere', () => {
    const auto = { cleanup: { via: 'auto' as const, gitTags: false, draftReleases: false } };
    expect(cleanupRoute(auto, 'ghcr.io/acme/app')).toBe('packages-api');
    expect(cleanupRoute(auto, 'GHCR.IO/acme/app')).toBe('packages-api');
    expect(cleanupRoute(auto, 'registry.example.com/acme/app')).toBe('registry');
    expect(cleanupRoute(auto, 'acme/app')).toBe('registry');
    expect(cleanupRoute({ cleanup: { ...auto.cleanup, via: 'packages-api' } }, '127.0.0.1:5000/a/b')).toBe(
      'packages-api',
    );
    expect(cleanupRoute({ cleanup: { ...auto.cleanup, via: 'registry' } }, 'ghcr.io/a/b')).toBe('registry');
  });
  it('finds the registry host', () => {
    expect(imageHost('localhost/a')).toBe('localhost');
    expect(imageHost('ghcr.io/a/b')).toBe('ghcr.io');
    expect(imageHost('library/ubuntu')).toBe('docker.io');
  });
});
