// An in-memory GitHub for unit tests of the publish logic (plans, executor, resume). The GitHub
// adapter itself is tested against the simulator in @relkit/github.
import type {
  ChangelogOps,
  DispatchRequest,
  PublishForgePort,
  PublishImagePorts,
  PublishPorts,
  ReleaseConfig,
} from '../../index.js';
import { parseConfig } from '../../index.js';
import { maybeFail } from '../../promote/__tests__/fake-world.js';
import { memoryLock } from '../../engine/__tests__/memory-lock.js';

export const config: ReleaseConfig = parseConfig({
  repository: 'acme/app',
  images: [{ name: 'ghcr.io/acme/app', platforms: ['linux/amd64', 'linux/arm64'] }],
  signing: {
    issuer: 'https://token.actions.githubusercontent.com',
    identityRegexp:
      'https://github\\.com/acme/app/\\.github/workflows/release-publish\\.yml@refs/heads/release/.*',
  },
  smoke: { repository: 'acme/app-smoke' },
});

export const FROZEN = `# Changelog

## Unreleased

### Added

## [1.2.3] - TBD

### Added

- **Publish phase** ([#9](https://github.com/acme/app/issues/9))

### Fixed

- Dates are set in UTC

## [1.2.2](https://github.com/acme/app/releases/tag/1.2.2) - 2026-10-01

### Fixed

- Something older
`;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The placeholder heading stays bare; a finalized one may carry the tag prefix. */
const heading = (version: string) => new RegExp(`^## \\[v?${esc(version)}\\]`);

/** A small stand-in for core's CHANGELOG engine, enough for the publish logic. */
export const changelogOps: ChangelogOps = {
  sectionState(text, version) {
    const line = text.split('\n').find((l) => heading(version).test(l));
    if (line === undefined) return 'missing';
    if (line === `## [${version}] - TBD`) return 'frozen';
    if (new RegExp(`^## \\[v?${esc(version)}\\](\\([^)]*\\))? - \\d{4}-\\d{2}-\\d{2}$`).test(line))
      return 'dated';
    return 'other';
  },
  finalize(text, { version, date, repository, tagPrefix }) {
    return text.replace(
      `## [${version}] - TBD`,
      `## [${tagPrefix}${version}](https://github.com/${repository}/releases/tag/${tagPrefix}${version}) - ${date}`,
    );
  },
  notes(text, version) {
    const out: string[] = [];
    let found = false;
    for (const l of text.split('\n')) {
      if (heading(version).test(l)) {
        found = true;
        continue;
      }
      if (found && l.startsWith('## [')) break;
      if (found) out.push(l);
    }
    return out.join('\n').trim();
  },
};

export interface Release {
  id: number;
  tag: string;
  draft: boolean;
  prerelease: boolean;
  notes: string;
}

export interface PublishWorld {
  branches: Map<string, string>;
  commits: Map<string, Map<string, string>>;
  tags: Map<string, string>;
  releases: Release[];
  pr: {
    state: 'open' | 'merged' | 'closed' | 'missing';
    draft: boolean;
    checks: 'success' | 'pending' | 'failure';
  };
  smoke: Map<string, 'draft' | 'prerelease' | 'published'>;
  dispatches: DispatchRequest[];
  images: Map<string, { digest: string; platforms: string[] }>;
  signed: Set<string>;
  lock: { holder: string; since: string } | null;
  writes: string[];
  failNext: Map<string, Error>;
  /** Simulates the origin's 0.3.1 commit step: returns a new sha but commits nothing. */
  silentNoopCommits: boolean;
  /** Simulates read-after-write lag: the next N tag reads return missing. */
  tagLag: number;
  reads: string[];
  nextSha: number;
}

export const sha = (n: number) => n.toString(16).padStart(40, '0');

export function newWorld(): PublishWorld {
  return {
    branches: new Map([
      ['main', sha(1)],
      ['release/1.2.3', sha(2)],
    ]),
    commits: new Map([
      [sha(1), new Map([['CHANGELOG.md', '# Changelog\n']])],
      [sha(2), new Map([['CHANGELOG.md', FROZEN]])],
    ]),
    tags: new Map([
      ['1.2.2', sha(1)],
      ['1.2.3-rc1', sha(2)],
    ]),
    releases: [{ id: 6, tag: '1.2.2', draft: false, prerelease: false, notes: '' }],
    pr: { state: 'open', draft: false, checks: 'success' },
    smoke: new Map(),
    dispatches: [],
    images: new Map([
      ['ghcr.io/acme/app:1.2.3', { digest: `sha256:${'a'.repeat(64)}`, platforms: ['amd64', 'arm64'] }],
    ]),
    signed: new Set([`sha256:${'a'.repeat(64)}`]),
    lock: null,
    writes: [],
    failNext: new Map(),
    silentNoopCommits: false,
    tagLag: 0,
    reads: [],
    nextSha: 100,
  };
}

export function portsFor(w: PublishWorld): PublishPorts {
  const resolve = (ref: string) =>
    w.branches.get(ref) ?? w.tags.get(ref) ?? (w.commits.has(ref) ? ref : undefined);
  const release = (tag: string) => {
    const r = w.releases.find((x) => x.tag === tag);
    return r
      ? {
          state: r.draft ? ('draft' as const) : ('published' as const),
          id: r.id,
          tag,
          url: `https://github.com/acme/app/releases/tag/${tag}`,
          prerelease: r.prerelease,
        }
      : { state: 'missing' as const };
  };
  const forge: PublishForgePort = {
    async observeBranch(branch) {
      maybeFail(w, `branch ${branch}`);
      const s = w.branches.get(branch);
      return s ? { state: 'found', branch, sha: s } : { state: 'missing', branch };
    },
    async readFile(path, ref) {
      maybeFail(w, `read ${path}@${ref}`);
      w.reads.push(`${path}@${ref}`);
      const s = resolve(ref);
      const content = s ? w.commits.get(s)?.get(path) : undefined;
      return content === undefined ? { state: 'missing', path, ref } : { state: 'found', path, ref, content };
    },
    async commitFile(change) {
      maybeFail(w, `commit ${change.path}`);
      const head = w.branches.get(change.branch);
      if (head !== change.parentSha) {
        throw Object.assign(new Error(`${change.branch} moved`), { code: 'CONFLICT' });
      }
      const files = new Map(w.commits.get(head) ?? []);
      if (!w.silentNoopCommits) files.set(change.path, change.content);
      const next = sha(w.nextSha++);
      w.commits.set(next, files);
      w.branches.set(change.branch, next);
      w.writes.push(`commit ${change.path} ${change.message.split('\n')[0]}`);
      return { sha: next };
    },
    async observeTag(tag) {
      maybeFail(w, `tag ${tag}`);
      if (w.tagLag > 0) {
        w.tagLag--;
        return { state: 'missing', tag };
      }
      const s = w.tags.get(tag);
      return s ? { state: 'found', tag, sha: s } : { state: 'missing', tag };
    },
    async listTags(prefix) {
      maybeFail(w, `list ${prefix}`);
      return [...w.tags.keys()].filter((t) => t.startsWith(prefix));
    },
    async createTag(tag, s) {
      maybeFail(w, `create tag ${tag}`);
      if (w.tags.has(tag)) throw Object.assign(new Error('Reference already exists'), { code: 'CONFLICT' });
      w.tags.set(tag, s);
      w.writes.push(`tag ${tag} ${s}`);
    },
    async observeRelease(tag) {
      maybeFail(w, `release ${tag}`);
      return release(tag);
    },
    async createDraftRelease(req) {
      maybeFail(w, `create release ${req.tag}`);
      const id = 100 + w.releases.length;
      w.releases.push({ id, tag: req.tag, draft: true, prerelease: req.prerelease, notes: req.notes });
      w.writes.push(`draft ${req.tag}`);
      return release(req.tag);
    },
    async observePullRequest(head, base) {
      if (w.pr.state === 'missing') return { state: 'missing', head, base };
      return {
        state: w.pr.state,
        number: 42,
        url: 'https://github.com/acme/app/pull/42',
        head,
        base,
        headSha: w.branches.get(head) ?? sha(0),
        draft: w.pr.draft,
        approved: false,
        approvedOnHead: false,
        // Already reduced to the latest run per check name (the adapter's job).
        checks: [{ name: 'ci', state: w.pr.checks }],
        mergeable: 'clean',
      };
    },
    async observeSmoke(tag) {
      const s = w.smoke.get(tag);
      return s
        ? {
            state: s,
            repository: 'acme/app-smoke',
            tag,
            url: `https://github.com/acme/app-smoke/releases/tag/${tag}`,
          }
        : { state: 'missing', repository: 'acme/app-smoke', tag };
    },
    async dispatch(req) {
      maybeFail(w, `dispatch ${req.repository}`);
      w.dispatches.push(req);
      w.writes.push(`dispatch ${req.repository} ${req.clientPayload.tag}`);
    },
    ...memoryLock(
      () => w.lock,
      (l) => (w.lock = l),
    ),
  };
  const images: PublishImagePorts = {
    async observeManifest(image, reference) {
      w.reads.push(`manifest ${image}:${reference}`);
      const m = w.images.get(`${image}:${reference}`);
      return m
        ? {
            state: 'found',
            digest: m.digest,
            mediaType: 'application/vnd.oci.image.index.v1+json',
            multiArch: true,
            platforms: m.platforms.map((a, i) => ({
              os: 'linux',
              architecture: a,
              digest: `sha256:${String(i).repeat(64)}`,
            })),
          }
        : { state: 'missing' };
    },
    async verify(_image, digest) {
      maybeFail(w, `verify ${digest}`);
      return w.signed.has(digest)
        ? {
            state: 'verified',
            digest,
            signer: {
              identity:
                'https://github.com/acme/app/.github/workflows/release-publish.yml@refs/heads/release/1.2.3',
              issuer: 'https://token.actions.githubusercontent.com',
            },
            attestations: ['slsa', 'sbom'],
          }
        : { state: 'unsigned', digest };
    },
  };
  return {
    forge,
    changelog: changelogOps,
    images,
    clock: { now: () => new Date('2026-11-27T01:02:03Z') },
    sleep: async () => undefined,
  };
}

export const run = {
  id: '123',
  url: 'https://github.com/acme/app/actions/runs/123',
  workflow: 'release-publish.yml',
};
