// The simulator's in-memory GitHub: repositories with their refs, releases, pull requests, checks
// and runs; the git object store; the clock and id sequence; and the git model every resource
// shares (commit, resolve, move a ref). One SimState per simulator.
import { createHash } from 'node:crypto';
import type { OpenApiViolation } from './openapi.js';
import * as o from './objects.js';
import type { JsonObject, RepoFacts } from './objects.js';
import type {
  DispatchHandler,
  SimBehaviours,
  SimComment,
  SimDispatch,
  SimMergeState,
  SimReviewState,
} from './types.js';

export interface Commit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  date: string;
  /** GitHub's signature verification: false for an API commit made with a custom author or by a person's token. */
  verified: boolean;
}

export interface Release {
  id: number;
  tag: string;
  target: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  makeLatest: string | undefined;
  createdAt: string;
  publishedAt: string | null;
  updatedAt: string;
  authorLogin: string;
}

export interface Pull {
  id: number;
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergeMethod: string | undefined;
  mergeState: SimMergeState;
  /** A closed or merged PR keeps the head it had, even after its branch is deleted. */
  closedHeadSha: string | null;
  closedAt: string | null;
  nullReadsLeft: number;
  createdAt: string;
  updatedAt: string;
}

export type Run = { -readonly [K in keyof o.RunFacts]: o.RunFacts[K] };

export interface Repo {
  facts: RepoFacts;
  refs: Map<string, string>;
  laggedRefs: Map<string, { sha: string | undefined; left: number }>;
  releases: Release[];
  burnedTags: Set<string>;
  pulls: Pull[];
  comments: SimComment[];
  reviews: {
    id: number;
    pull: number;
    login: string;
    state: SimReviewState;
    commitId: string;
    at: string;
    association: string;
  }[];
  requiredApprovals: number;
  checkRuns: {
    id: number;
    sha: string;
    name: string;
    status: string;
    conclusion: string | null;
    startedAt: string;
    completedAt: string | null;
    app: { id: number; slug: string; name: string };
    /** The Actions workflow run it belongs to (its check suite). */
    workflowRunId: number;
  }[];
  statuses: {
    id: number;
    sha: string;
    context: string;
    state: string;
    createdAt: string;
    description: string | null;
  }[];
  dispatches: SimDispatch[];
  dispatchHandler: DispatchHandler | undefined;
  runs: Run[];
  silentNoOp: boolean;
  refLag: number;
  /** Merge methods the repository allows (GitHub's allow_merge_commit / squash / rebase). */
  mergeMethods: { merge: boolean; squash: boolean; rebase: boolean };
  /** Branches whose ruleset requires signed commits. */
  signedCommitBranches: Set<string>;
  /** Ref-name patterns a ruleset refuses to create (tag-creation rules, any namespace). */
  restrictedRefCreation: RegExp[];
  /** Whether published releases are immutable (the repository setting). */
  immutableReleases: boolean;
  /** #10: a created release is left out of the next `releaseListLag` list reads. */
  releaseListLag: number;
  laggedReleases: Map<number, number>;
}

/** The caller of a request, as the simulator's token table knows it. */
export interface SimToken {
  readonly login: string;
  /** Write access to the repositories it reaches. */
  readonly push: boolean;
  /** 'app': a GitHub App installation token (ghs_, GITHUB_TOKEN included); 'user': a person's token. */
  readonly kind: 'app' | 'user';
  /** The repositories it reaches (lower-case full names); undefined: every repository. */
  readonly repos?: ReadonlySet<string>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: JsonObject | undefined,
  ) {
    super(String(body?.message ?? status));
  }
}

export const DOCS = 'https://docs.github.com/rest';
export const err = (status: number, message: string, extra: JsonObject = {}) =>
  new HttpError(status, { message, documentation_url: DOCS, ...extra });
export const validationFailed = (errors: JsonObject[], message = 'Validation Failed') =>
  err(422, message, { errors, status: '422' });

/**
 * #4: a ruleset requiring signed commits refuses an unsigned API commit with 409 (REST
 * "Create or update file contents"; github/docs "Commits must have verified signatures").
 */
export const signedCommitsRequired = () =>
  err(409, 'Repository rule violations found\n\nCommits must have verified signatures.\n\n');

const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');
export const blobSha = (content: Buffer) =>
  sha1(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]));

export interface SimState {
  readonly repos: Map<string, Repo>;
  readonly trees: Map<string, Map<string, Buffer>>;
  /** Blobs created through the git data API, by blob SHA. */
  readonly blobs: Map<string, Buffer>;
  readonly commits: Map<string, Commit>;
  readonly violations: OpenApiViolation[];
  /** API and web roots; filled in once the server listens (the same object throughout). */
  readonly base: { api: string; web: string };
  /** Switchable GitHub behaviours (see SimBehaviours). */
  readonly behaviours: SimBehaviours;
  /** Null mergeability reads after a PR or one of its branches changes. */
  readonly defaultNullReads: number;
  /** A monotonic clock that follows real time but never repeats a timestamp. */
  now(): string;
  id(): number;
  /** A user's id, assigned from the id sequence on first sight. */
  userId(login: string): number;
  userObject(login: string): JsonObject;
  /** A repository the scenario created; throws (a test bug) otherwise. */
  repo(fullName: string): Repo;
  storeTree(files: Map<string, Buffer>): string;
  storeCommit(tree: string, parents: string[], message: string, verified?: boolean): string;
  filesAt(sha: string): Map<string, Buffer>;
  isAncestor(ancestor: string, sha: string): boolean;
  /** A SHA, or a ref / branch / tag name, to the commit it names. */
  resolve(r: Repo, ref: string): string | undefined;
  moveRef(r: Repo, ref: string, sha: string): void;
  commitFiles(
    r: Repo,
    branch: string,
    files: Record<string, string | Buffer | null>,
    message: string,
  ): string;
  commitJson(r: Repo, commit: Commit): JsonObject;
}

export function createState(options: { mergeableNullReads?: number }): SimState {
  const defaultNullReads = options.mergeableNullReads ?? 1;
  const repos = new Map<string, Repo>();
  const trees = new Map<string, Map<string, Buffer>>();
  const commits = new Map<string, Commit>();
  const blobs = new Map<string, Buffer>();
  let nextId = 1000;
  const id = () => ++nextId;
  let clockMs = Date.parse('2026-03-27T10:00:00Z');
  const now = () => {
    clockMs = Math.max(clockMs + 1000, Date.now());
    return new Date(clockMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  };
  const base = { api: '', web: '' };
  const users = new Map<string, number>();
  const userId = (login: string) => {
    if (!users.has(login)) users.set(login, id());
    return users.get(login)!;
  };
  const userObject = (login: string) =>
    o.user(base, login, userId(login), login.endsWith('[bot]') ? 'Bot' : 'User');

  const storeTree = (files: Map<string, Buffer>) => {
    const sorted = [...files.entries()].sort(([a], [b]) => a.localeCompare(b));
    const sha = sha1('tree\0' + sorted.map(([p, c]) => `${p}\0${blobSha(c)}`).join('\n'));
    trees.set(sha, new Map(sorted));
    return sha;
  };
  const storeCommit = (tree: string, parents: string[], message: string, verified = true) => {
    const date = now();
    const sha = sha1(`commit\0${tree}\0${parents.join(',')}\0${message}\0${date}\0${id()}`);
    commits.set(sha, { sha, tree, parents, message, date, verified });
    return sha;
  };
  const filesAt = (sha: string) => trees.get(commits.get(sha)?.tree ?? '') ?? new Map<string, Buffer>();
  const isAncestor = (ancestor: string, sha: string): boolean => {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length) {
      const cur = stack.pop()!;
      if (cur === ancestor) return true;
      if (seen.has(cur)) continue;
      seen.add(cur);
      stack.push(...(commits.get(cur)?.parents ?? []));
    }
    return false;
  };

  const repo = (fullName: string): Repo => {
    const r = repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`simulator: no repository ${fullName}; call createRepo first`);
    return r;
  };
  const resolve = (r: Repo, ref: string): string | undefined => {
    if (commits.has(ref)) return ref;
    for (const full of [ref, `refs/heads/${ref}`, `refs/tags/${ref}`]) {
      const sha = r.refs.get(full);
      if (sha) return sha;
    }
    return undefined;
  };
  const moveRef = (r: Repo, ref: string, sha: string) => {
    const old = r.refs.get(ref);
    r.refs.set(ref, sha);
    if (r.refLag > 0) r.laggedRefs.set(ref, { sha: old, left: r.refLag });
    // A branch moved: GitHub recomputes mergeability of every PR that uses it.
    for (const p of r.pulls)
      if (p.state === 'open' && (ref === `refs/heads/${p.head}` || ref === `refs/heads/${p.base}`))
        p.nullReadsLeft = Math.max(p.nullReadsLeft, defaultNullReads);
  };
  const commitFiles = (
    r: Repo,
    branch: string,
    files: Record<string, string | Buffer | null>,
    message: string,
  ) => {
    const ref = `refs/heads/${branch}`;
    const parent = r.refs.get(ref) ?? r.refs.get(`refs/heads/${r.facts.defaultBranch}`);
    const next = new Map(parent ? filesAt(parent) : []);
    for (const [p, c] of Object.entries(files)) {
      if (c === null) next.delete(p);
      else next.set(p, Buffer.isBuffer(c) ? c : Buffer.from(c));
    }
    const sha = storeCommit(storeTree(next), parent ? [parent] : [], message);
    moveRef(r, ref, sha);
    return sha;
  };
  const commitJson = (r: Repo, commit: Commit) =>
    o.gitCommit(base, r.facts, {
      sha: commit.sha,
      tree: commit.tree,
      parents: commit.parents,
      message: commit.message,
      date: commit.date,
      author: { name: 'relkit simulator', email: 'sim@relkit.test' },
    });

  return {
    repos,
    trees,
    blobs,
    commits,
    violations: [],
    behaviours: {
      appTokensReportNoPush: true,
      refuseLatestPrerelease: true,
      latestPerCheckIdentity: true,
      realAuthorAssociation: true,
    },
    base,
    defaultNullReads,
    now,
    id,
    userId,
    userObject,
    repo,
    storeTree,
    storeCommit,
    filesAt,
    isAncestor,
    resolve,
    moveRef,
    commitFiles,
    commitJson,
  };
}
