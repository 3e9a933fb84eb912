// A small in-memory GitHub + registry behind core's real publish service, for in-process tests
// of the publish commands' parsing, rendering and exit codes. The adapters are tested against
// real services in their own packages; core's publish logic in core.
import {
  createPublishService,
  decodeLockState,
  encodeLockState,
  parseConfig,
  type ChangelogOps,
  type PublishPorts,
  type PublishService,
  type ReleaseConfig,
} from '@relkit/release-core';

export const CHANGELOG = `# Changelog

## Unreleased

## [1.2.3] - TBD

### Added

- Publish phase

## [1.2.2] - 2026-10-01

- Older
`;

const heading = (v: string) => new RegExp(`^## \\[v?${v.replaceAll('.', '\\.')}\\]`);

/** Stand-in for core's CHANGELOG engine (enough for these tests). */
export const changelogOps: ChangelogOps = {
  sectionState(text, version) {
    const line = text.split('\n').find((l) => heading(version).test(l));
    if (line === undefined) return 'missing';
    if (line.endsWith('- TBD')) return 'frozen';
    return /- \d{4}-\d{2}-\d{2}$/.test(line) ? 'dated' : 'other';
  },
  finalize: (text, { version, date, repository, tagPrefix }) =>
    text.replace(
      `## [${version}] - TBD`,
      `## [${tagPrefix}${version}](https://github.com/${repository}/releases/tag/${tagPrefix}${version}) - ${date}`,
    ),
  notes(text, version) {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => heading(version).test(l));
    const end = lines.findIndex((l, i) => i > start && l.startsWith('## ['));
    return lines
      .slice(start + 1, end === -1 ? undefined : end)
      .join('\n')
      .trim();
  },
};

export interface MemoryGitHub {
  head: string;
  files: Map<string, string>; // "sha:path" -> content
  tags: Map<string, string>;
  releases: { id: number; tag: string; draft: boolean; notes: string }[];
  prDraft: boolean;
  checks: 'success' | 'failure' | 'pending';
  dispatches: Record<string, string>[];
  images: Map<string, string>; // "image:tag" -> digest
  signed: Set<string>;
  lock: boolean;
  n: number;
}

export const memConfig: ReleaseConfig = parseConfig({
  repository: 'acme/app',
  images: [{ name: 'ghcr.io/acme/app', platforms: ['linux/amd64', 'linux/arm64'] }],
  signing: {
    issuer: 'https://token.actions.githubusercontent.com',
    identityRegexp: 'https://github\\.com/acme/app/.+',
  },
  smoke: { repository: 'acme/app-smoke' },
});

const sha = (n: number) => n.toString(16).padStart(40, '0');

export function memoryGitHub(): MemoryGitHub {
  return {
    head: sha(2),
    files: new Map([[`${sha(2)}:CHANGELOG.md`, CHANGELOG]]),
    tags: new Map([['1.2.3-rc1', sha(2)]]),
    releases: [],
    prDraft: false,
    checks: 'success',
    dispatches: [],
    images: new Map([['ghcr.io/acme/app:1.2.3', `sha256:${'a'.repeat(64)}`]]),
    signed: new Set([`sha256:${'a'.repeat(64)}`]),
    lock: false,
    n: 10,
  };
}

export function memoryPorts(m: MemoryGitHub): PublishPorts {
  let lockVersion = 0;
  const resolve = (ref: string) => (ref === 'release/1.2.3' ? m.head : (m.tags.get(ref) ?? ref));
  const release = (tag: string) => {
    const r = m.releases.find((x) => x.tag === tag);
    return r
      ? {
          state: r.draft ? ('draft' as const) : ('published' as const),
          id: r.id,
          tag,
          url: `https://github.com/acme/app/releases/tag/${tag}`,
          prerelease: false,
        }
      : { state: 'missing' as const };
  };
  return {
    changelog: changelogOps,
    sleep: async () => undefined,
    forge: {
      async observeBranch(branch) {
        return branch === 'release/1.2.3'
          ? { state: 'found', branch, sha: m.head }
          : { state: 'missing', branch };
      },
      async readFile(path, ref) {
        const content = m.files.get(`${resolve(ref)}:${path}`);
        return content === undefined
          ? { state: 'missing', path, ref }
          : { state: 'found', path, ref, content };
      },
      async commitFile(change) {
        if (change.parentSha !== m.head) throw Object.assign(new Error('moved'), { code: 'CONFLICT' });
        const next = sha(m.n++);
        m.files.set(`${next}:${change.path}`, change.content);
        m.head = next;
        return { sha: next };
      },
      async observeTag(tag) {
        const s = m.tags.get(tag);
        return s ? { state: 'found', tag, sha: s } : { state: 'missing', tag };
      },
      async listTags(prefix) {
        return [...m.tags.keys()].filter((t) => t.startsWith(prefix));
      },
      async createTag(tag, s) {
        m.tags.set(tag, s);
      },
      async observeRelease(tag) {
        return release(tag);
      },
      async createDraftRelease(req) {
        m.releases.push({ id: m.n++, tag: req.tag, draft: true, notes: req.notes });
        return release(req.tag);
      },
      async observePullRequest(head, base) {
        return {
          state: 'open',
          number: 42,
          url: 'https://github.com/acme/app/pull/42',
          head,
          base,
          headSha: m.head,
          draft: m.prDraft,
          approved: true,
          approvedOnHead: true,
          checks: [{ name: 'ci', state: m.checks }],
          mergeable: 'clean',
        };
      },
      async observeSmoke(tag) {
        return { state: 'missing', repository: 'acme/app-smoke', tag };
      },
      async dispatch(req) {
        m.dispatches.push({ ...req.clientPayload });
      },
      // A lock held by someone else (m.lock) or this run; written only over the version read.
      async readLock() {
        if (!m.lock) return undefined;
        return {
          version: `v${lockVersion}`,
          record: encodeLockState({
            status: 'held',
            holder: 'bob (run 7)',
            run: '',
            acquiredAt: '2026-11-27T00:00:00Z',
            expiresAt: '9999-12-31T00:00:00.000Z',
          }),
        };
      },
      async writeLock(_name, from, record) {
        if (from !== (m.lock ? `v${lockVersion}` : undefined)) return { written: false };
        lockVersion++;
        m.lock = decodeLockState(record)?.status === 'held';
        // A released lock reads as absent here: the next write creates it again.
        return { written: true, version: m.lock ? `v${lockVersion}` : 'released' };
      },
    },
    images: {
      async observeManifest(image, reference) {
        const d = m.images.get(`${image}:${reference}`);
        return d
          ? {
              state: 'found',
              digest: d,
              mediaType: 'application/vnd.oci.image.index.v1+json',
              multiArch: true,
              platforms: [
                { os: 'linux', architecture: 'amd64', digest: `sha256:${'1'.repeat(64)}` },
                { os: 'linux', architecture: 'arm64', digest: `sha256:${'2'.repeat(64)}` },
              ],
            }
          : { state: 'missing' };
      },
      async verify(_image, digest) {
        return m.signed.has(digest)
          ? {
              state: 'verified',
              digest,
              signer: {
                identity: 'https://github.com/acme/app/x',
                issuer: 'https://token.actions.githubusercontent.com',
              },
              attestations: [],
            }
          : { state: 'unsigned', digest };
      },
    },
  };
}

export function memoryService(m: MemoryGitHub, config: ReleaseConfig = memConfig): PublishService {
  return createPublishService(config, memoryPorts(m));
}
