// An in-memory gitflow repository for unit tests of prepare and the integration sync: commits
// with parents and files, branches, tags, pull requests, the lock. The GitHub adapter itself is
// tested against the simulator in @relkit/github.
import type { PullRequestSummary } from '../../observations.js';
import type { PrepareForgePort } from '../ports.js';
import { memoryLock, type MemoryLockHolder } from '../../engine/__tests__/memory-lock.js';

interface Commit {
  readonly parents: readonly string[];
  readonly files: ReadonlyMap<string, string>;
}

export const UNRELEASED = `# Changelog

## Unreleased

### Added

- **Gitflow prepare** ([#19](https://github.com/acme/app/issues/19))

### Fixed

- The sync after promote

## [1.2.0](https://github.com/acme/app/releases/tag/1.2.0) - 2026-10-01

### Added

- Something older
`;

export function gitflowWorld(changelog = UNRELEASED) {
  const commits = new Map<string, Commit>();
  const branches = new Map<string, string>();
  const tags = new Map<string, string>();
  let lock: MemoryLockHolder | null = null;
  const pulls: (PullRequestSummary & { body: string; title: string })[] = [];
  const calls: string[] = [];
  let n = 0;
  const store = (parents: string[], files: Map<string, string>) => {
    const sha = (++n).toString(16).padStart(40, '0');
    commits.set(sha, { parents, files });
    return sha;
  };
  const root = store([], new Map([['CHANGELOG.md', changelog]]));
  branches.set('main', root);
  tags.set('1.2.0', root);
  const contains = (sha: string, ancestor: string): boolean => {
    const stack = [sha];
    const seen = new Set<string>();
    while (stack.length) {
      const c = stack.pop()!;
      if (c === ancestor) return true;
      if (seen.has(c)) continue;
      seen.add(c);
      stack.push(...(commits.get(c)?.parents ?? []));
    }
    return false;
  };
  /** A commit on a branch (someone else's work). */
  const commit = (branch: string, path: string, content: string, parents?: string[]) => {
    const head = branches.get(branch)!;
    const files = new Map(commits.get(head)!.files);
    files.set(path, content);
    const sha = store(parents ?? [head], files);
    branches.set(branch, sha);
    return sha;
  };
  branches.set('dev', commit('main', 'feature.txt', 'dev work'));
  branches.set('main', root);
  const resolve = (ref: string) => branches.get(ref) ?? tags.get(ref) ?? (commits.has(ref) ? ref : undefined);
  const faults = new Set<string>();
  const maybe = (what: string) => {
    if (faults.has(what)) {
      faults.delete(what);
      throw Object.assign(new Error(`injected failure: ${what}`), { code: 'INJECTED' });
    }
  };
  const summary = (p: (typeof pulls)[number]): PullRequestSummary => ({
    state: p.state,
    number: p.number,
    url: p.url,
    head: p.head,
    base: p.base,
    draft: p.draft,
    headSha: branches.get(p.head) ?? p.headSha,
  });
  const forge: PrepareForgePort = {
    async observeBranch(branch) {
      const sha = branches.get(branch);
      return sha ? { state: 'found', branch, sha } : { state: 'missing', branch };
    },
    async compareBranches(base, head) {
      const b = branches.get(base)!;
      const h = branches.get(head)!;
      const ahead = contains(h, b) ? 1 : 0;
      const behind = contains(b, h) ? 1 : 0;
      const status =
        b === h ? 'identical' : ahead && !behind ? 'ahead' : behind && !ahead ? 'behind' : 'diverged';
      return {
        state: 'found',
        status,
        aheadBy: status === 'behind' ? 0 : 1,
        behindBy: status === 'ahead' ? 0 : 1,
      };
    },
    async createBranch(branch, sha) {
      calls.push(`createBranch ${branch}`);
      maybe('createBranch');
      const at = branches.get(branch);
      if (at && at !== sha) throw new Error(`${branch} exists elsewhere`);
      branches.set(branch, sha);
    },
    async fastForwardBranch(branch, from, to) {
      calls.push(`fastForward ${branch}`);
      maybe('fastForward');
      if (branches.get(branch) !== from || !contains(to, from))
        throw new Error('Update is not a fast forward');
      branches.set(branch, to);
    },
    async findPullRequest(head, base) {
      const list = pulls.filter((p) => p.head === head && p.base === base);
      const p = list.find((x) => x.state === 'open') ?? list.find((x) => x.state === 'merged') ?? list.at(-1);
      return p ? summary(p) : { state: 'missing' };
    },
    async openPullRequest(req) {
      calls.push(`openPullRequest ${req.head}→${req.base}${req.draft ? ' draft' : ''}`);
      maybe('openPullRequest');
      const p = {
        state: 'open' as const,
        number: 100 + pulls.length + 1,
        url: `https://github.com/acme/app/pull/${101 + pulls.length}`,
        head: req.head,
        base: req.base,
        draft: req.draft,
        headSha: branches.get(req.head)!,
        body: req.body,
        title: req.title,
      };
      pulls.push(p);
      return summary(p);
    },
    async readFile(path, ref) {
      const sha = resolve(ref);
      const content = sha ? commits.get(sha)?.files.get(path) : undefined;
      return content === undefined ? { state: 'missing', path, ref } : { state: 'found', path, ref, content };
    },
    async commitFiles(change) {
      calls.push(`commitFiles ${change.branch}`);
      maybe('commitFiles');
      if (branches.get(change.branch) !== change.parentSha) throw new Error(`${change.branch} moved; re-run`);
      const files = new Map(commits.get(change.parentSha)!.files);
      for (const f of change.files) files.set(f.path, f.content);
      const sha = store([change.parentSha], files);
      branches.set(change.branch, sha);
      return { sha };
    },
    async observeTag(tag) {
      const sha = tags.get(tag);
      return sha ? { state: 'found', tag, sha } : { state: 'missing', tag };
    },
    async listTags(prefix) {
      return [...tags.keys()].filter((t) => t.startsWith(prefix));
    },
    ...memoryLock(
      () => lock,
      (l) => (lock = l),
    ),
  };
  /** Merges `head` into `base` with a merge commit (the release PR merge). */
  const merge = (head: string, base: string) => {
    const h = branches.get(head)!;
    const sha = store([branches.get(base)!, h], new Map(commits.get(h)!.files));
    branches.set(base, sha);
    const p = pulls.find((x) => x.head === head && x.base === base && x.state === 'open');
    if (p) Object.assign(p, { state: 'merged' });
    return sha;
  };
  const file = (ref: string, path = 'CHANGELOG.md') => commits.get(resolve(ref)!)?.files.get(path);
  return { forge, branches, tags, pulls, commits, calls, faults, commit, merge, file, contains };
}
