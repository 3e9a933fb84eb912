import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { OpenApiValidator, type MatchedOperation, type OpenApiViolation } from './openapi.js';
import * as o from './objects.js';
import type { JsonObject, RepoFacts, UrlBase } from './objects.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type SimMergeState = 'clean' | 'unstable' | 'has_hooks' | 'behind' | 'blocked' | 'dirty';
export type SimReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';

export interface GitHubSimulatorOptions {
  /** Serve under /api/v3 (and GraphQL under /api/graphql) like GitHub Enterprise Server. */
  readonly enterprise?: boolean;
  /** How many GETs of a pull request report `mergeable: null` after it changed (GitHub computes it asynchronously). Default 1. */
  readonly mergeableNullReads?: number;
}

export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly operation: string | undefined;
  readonly body: unknown;
}

export interface SimRelease {
  readonly id: number;
  readonly tag: string;
  readonly target: string;
  readonly name: string | null;
  readonly body: string | null;
  readonly draft: boolean;
  readonly prerelease: boolean;
  readonly makeLatest: string | undefined;
  readonly publishedAt: string | null;
}

export interface SimPull {
  readonly number: number;
  readonly head: string;
  readonly base: string;
  readonly headSha: string;
  readonly draft: boolean;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly mergeMethod: string | undefined;
  readonly mergeCommitSha: string | null;
  readonly closedAt: string | null;
}

export interface SimComment {
  readonly id: number;
  readonly issue: number;
  readonly login: string;
  readonly body: string;
}

export interface SimDispatch {
  readonly eventType: string;
  readonly clientPayload: Readonly<Record<string, unknown>>;
  readonly at: string;
}

export interface SimWorkflowRunSeed {
  readonly event?: string;
  readonly displayTitle?: string;
  readonly name?: string;
  readonly path?: string;
  readonly status?: 'queued' | 'in_progress' | 'completed';
  readonly conclusion?: 'success' | 'failure' | 'cancelled' | null;
  readonly createdAt?: string;
  readonly headBranch?: string;
}

/** A scenario hook: what workflow run (if any) a repository_dispatch starts. */
export type DispatchHandler = (event: SimDispatch) => SimWorkflowRunSeed | undefined;

export interface GitHubSimulator {
  /** Base URL for Octokit's `baseUrl` (with /api/v3 in enterprise mode). */
  readonly url: string;
  /** A token with push (write) access to every repository. */
  readonly pushToken: string;
  /** A token with read-only access (GITHUB_TOKEN with contents: read): cannot see drafts, cannot write. */
  readonly readToken: string;
  readonly validator: OpenApiValidator;
  /** Every request and response that disagreed with GitHub's OpenAPI description. */
  readonly violations: readonly OpenApiViolation[];
  readonly requests: readonly SimRequest[];
  /** Throws, listing them, if any request or response violated the OpenAPI description. */
  assertNoViolations(): void;
  /** Stops the server; throws if violations were recorded and never asserted. */
  stop(): Promise<void>;

  // --- scenario API: seed and change state the way people and CI do on github.com ---
  createRepo(fullName: string, options?: { defaultBranch?: string; files?: Record<string, string> }): string;
  /** Commits files on a branch (creating the branch from the default branch if needed); returns the SHA. */
  commit(fullName: string, branch: string, files: Record<string, string | null>, message?: string): string;
  branchSha(fullName: string, branch: string): string | undefined;
  refSha(fullName: string, ref: string): string | undefined;
  readFile(fullName: string, ref: string, path: string): string | undefined;
  commitInfo(fullName: string, sha: string): { message: string; parents: readonly string[] } | undefined;
  setRef(fullName: string, ref: string, sha: string): void;
  seedRelease(
    fullName: string,
    r: { tag: string; draft?: boolean; prerelease?: boolean; body?: string; name?: string; target?: string },
  ): number;
  /** Deletes a release as a person in the web UI would; a published one burns its tag forever (#1301). */
  deleteRelease(fullName: string, id: number): void;
  releases(fullName: string): readonly SimRelease[];
  openPull(fullName: string, p: { head: string; base: string; draft?: boolean; title?: string }): number;
  pull(fullName: string, number: number): SimPull;
  setPullDraft(fullName: string, number: number, draft: boolean): void;
  /** Closes (without merging) a pull request as a person in the web UI would. */
  closePull(fullName: string, number: number): void;
  /** Comments on issues and pull requests, oldest first. */
  comments(fullName: string, number: number): readonly SimComment[];
  /** Deletes a ref (branch, tag, anything) as a push would, bypassing the API's rules. */
  deleteRef(fullName: string, ref: string): void;
  /** What GitHub will compute for mergeability, reported after `nullReads` GETs of `mergeable: null`. */
  setMergeState(fullName: string, number: number, state: SimMergeState, nullReads?: number): void;
  review(fullName: string, number: number, login: string, state: SimReviewState): void;
  /** Branch protection on the base branch: N approvals required (makes reviewDecision non-null). */
  requireApprovals(fullName: string, count: number): void;
  addCheckRun(
    fullName: string,
    sha: string,
    c: {
      name: string;
      status?: 'queued' | 'in_progress' | 'completed';
      conclusion?: string | null;
      startedAt?: string;
    },
  ): number;
  /** Flips an existing check run (e.g. a queued run completes, or a re-run of the same run fails). */
  updateCheckRun(
    fullName: string,
    id: number,
    change: { status?: 'queued' | 'in_progress' | 'completed'; conclusion?: string | null },
  ): void;
  addStatus(
    fullName: string,
    sha: string,
    s: { context: string; state: 'error' | 'failure' | 'pending' | 'success'; createdAt?: string },
  ): void;
  dispatches(fullName: string): readonly SimDispatch[];
  onDispatch(fullName: string, handler: DispatchHandler): void;
  addWorkflowRun(fullName: string, run: SimWorkflowRunSeed): number;
  setWorkflowRun(fullName: string, id: number, change: { status?: string; conclusion?: string | null }): void;
  /** #455: contents API writes "succeed" (200, a new commit) but the file does not change. */
  silentNoOpCommits(fullName: string, on: boolean): void;
  /** #617: after a write, the next `reads` GETs of that ref still return the previous SHA. */
  refReadLag(fullName: string, reads: number): void;
  /** The next `requests` REST requests get GitHub's primary rate-limit answer (403, remaining 0, reset in `resetSeconds`). */
  exhaustRateLimit(requests: number, resetSeconds?: number): void;
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

interface Commit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  date: string;
}

interface Release {
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

interface Pull {
  id: number;
  number: number;
  title: string;
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

type Run = { -readonly [K in keyof o.RunFacts]: o.RunFacts[K] };

interface Repo {
  facts: RepoFacts;
  refs: Map<string, string>;
  laggedRefs: Map<string, { sha: string | undefined; left: number }>;
  releases: Release[];
  burnedTags: Set<string>;
  pulls: Pull[];
  comments: SimComment[];
  reviews: { id: number; pull: number; login: string; state: SimReviewState; commitId: string; at: string }[];
  requiredApprovals: number;
  checkRuns: {
    id: number;
    sha: string;
    name: string;
    status: string;
    conclusion: string | null;
    startedAt: string;
    completedAt: string | null;
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
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: JsonObject | undefined,
  ) {
    super(String(body?.message ?? status));
  }
}

const DOCS = 'https://docs.github.com/rest';
const err = (status: number, message: string, extra: JsonObject = {}) =>
  new HttpError(status, { message, documentation_url: DOCS, ...extra });
const validationFailed = (errors: JsonObject[], message = 'Validation Failed') =>
  err(422, message, { errors, status: '422' });

const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');
const blobSha = (content: Buffer) => sha1(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]));

// Statuses every endpoint can answer whether or not its OpenAPI entry lists them.
const UNIVERSAL_STATUSES = new Set([401, 403, 429, 500, 502, 503]);

// Compiling the schemas is the slow part of starting a simulator; they never change, so share them.
let sharedValidator: OpenApiValidator | undefined;

export async function startGitHubSimulator(options: GitHubSimulatorOptions = {}): Promise<GitHubSimulator> {
  const validator = (sharedValidator ??= new OpenApiValidator());
  const prefix = options.enterprise ? '/api/v3' : '';
  const graphqlPath = options.enterprise ? '/api/graphql' : '/graphql';
  const defaultNullReads = options.mergeableNullReads ?? 1;
  const repos = new Map<string, Repo>();
  const trees = new Map<string, Map<string, Buffer>>();
  const commits = new Map<string, Commit>();
  const violations: OpenApiViolation[] = [];
  let asserted = 0;
  let rateLimited = { left: 0, resetSeconds: 1 };
  const requests: SimRequest[] = [];
  const sockets = new Set<Socket>();
  let nextId = 1000;
  const id = () => ++nextId;
  let requestSeq = 0;
  let clockMs = Date.parse('2026-03-27T10:00:00Z');
  // A monotonic clock that follows real time but never repeats a timestamp.
  const now = () => {
    clockMs = Math.max(clockMs + 1000, Date.now());
    return new Date(clockMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  };
  const pushToken = 'ghs_simPushToken000000000000000000000000';
  const readToken = 'ghs_simReadToken000000000000000000000000';
  const tokens = new Map([
    [pushToken, { login: 'relkit-release-app[bot]', push: true }],
    [readToken, { login: 'github-actions[bot]', push: false }],
  ]);
  let base: UrlBase = { api: '', web: '' };
  const users = new Map<string, number>();
  const userObject = (login: string) => {
    if (!users.has(login)) users.set(login, id());
    return o.user(base, login, users.get(login)!, login.endsWith('[bot]') ? 'Bot' : 'User');
  };

  // --- git model ---------------------------------------------------------------------------
  const storeTree = (files: Map<string, Buffer>) => {
    const sorted = [...files.entries()].sort(([a], [b]) => a.localeCompare(b));
    const sha = sha1('tree\0' + sorted.map(([p, c]) => `${p}\0${blobSha(c)}`).join('\n'));
    trees.set(sha, new Map(sorted));
    return sha;
  };
  const storeCommit = (tree: string, parents: string[], message: string) => {
    const date = now();
    const sha = sha1(`commit\0${tree}\0${parents.join(',')}\0${message}\0${date}\0${id()}`);
    commits.set(sha, { sha, tree, parents, message, date });
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
  const pullFacts = (r: Repo, p: Pull): o.PullFacts => {
    const headSha = p.closedHeadSha ?? r.refs.get(`refs/heads/${p.head}`) ?? '';
    const baseSha = r.refs.get(`refs/heads/${p.base}`) ?? '';
    const computed = p.state === 'closed' || p.nullReadsLeft <= 0;
    const state = p.draft ? 'draft' : p.mergeState;
    return {
      id: p.id,
      number: p.number,
      title: p.title,
      body: null,
      state: p.state,
      draft: p.draft,
      head: {
        ref: p.head,
        sha: headSha,
      },
      base: { ref: p.base, sha: baseSha },
      merged: p.merged,
      mergedAt: p.mergedAt,
      mergeCommitSha: p.mergeCommitSha,
      mergeable: computed ? (p.merged ? null : state !== 'dirty') : null,
      mergeableState: computed ? state : 'unknown',
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      closedAt: p.closedAt,
    };
  };
  const closePull = (r: Repo, p: Pull) => {
    p.closedHeadSha = r.refs.get(`refs/heads/${p.head}`) ?? '';
    p.state = 'closed';
    p.closedAt = p.updatedAt = now();
  };
  const findPull = (r: Repo, n: number) => {
    const p = r.pulls.find((x) => x.number === n);
    if (!p) throw err(404, 'Not Found');
    return p;
  };
  const releaseJson = (r: Repo, rel: Release) =>
    o.release(
      base,
      r.facts,
      {
        id: rel.id,
        tag: rel.tag,
        target: rel.target,
        name: rel.name,
        body: rel.body,
        draft: rel.draft,
        prerelease: rel.prerelease,
        immutable: !rel.draft,
        createdAt: rel.createdAt,
        publishedAt: rel.publishedAt,
        updatedAt: rel.updatedAt,
      },
      userObject(rel.authorLogin),
    );

  // --- request handling ----------------------------------------------------------------------
  interface Ctx {
    op: MatchedOperation;
    query: URLSearchParams;
    body: JsonObject;
    token: { login: string; push: boolean };
    repo: Repo;
    headers: Record<string, string>;
  }
  type Handler = (c: Ctx) => { status: number; body?: unknown; headers?: Record<string, string> };

  const requirePush = (c: Ctx) => {
    if (!c.token.push) throw err(403, 'Resource not accessible by integration');
  };

  const paginate = (c: Ctx, items: unknown[], wrap?: (page: unknown[]) => JsonObject) => {
    const perPage = Math.min(100, Number(c.query.get('per_page') ?? 30));
    const page = Math.max(1, Number(c.query.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    const link = (n: number, rel: string) => {
      const q = new URLSearchParams(c.query);
      q.set('page', String(n));
      q.set('per_page', String(perPage));
      return `<${base.api}${pathOf(c.op)}?${q}>; rel="${rel}"`;
    };
    const links = [];
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    if (links.length) headers.link = links.join(', ');
    return { status: 200, body: wrap ? wrap(slice) : slice, headers };
  };
  const pathOf = (op: MatchedOperation) =>
    op.template.replace(/\{([^}]+)\}/g, (_, n: string) =>
      encodeURIComponent(op.params[n] ?? '').replace(/%2F/g, '/'),
    );

  const handlers: Record<string, Handler> = {
    'repos/get': (c) => {
      const perms = c.token.push
        ? { admin: false, maintain: false, push: true, triage: true, pull: true }
        : { admin: false, maintain: false, push: false, triage: false, pull: true };
      return { status: 200, body: o.repository(base, { ...c.repo.facts, permissions: perms }) };
    },
    'repos/list-releases': (c) => {
      // "Only users with push access will receive listings for draft releases."
      const visible = c.repo.releases.filter((r) => c.token.push || !r.draft).sort((a, b) => b.id - a.id);
      return paginate(
        c,
        visible.map((r) => releaseJson(c.repo, r)),
      );
    },
    'repos/get-release-by-tag': (c) => {
      // Drafts are never returned by tag, whatever the token (#507).
      const rel = c.repo.releases.find((r) => r.tag === c.op.params.tag && !r.draft);
      if (!rel) throw err(404, 'Not Found');
      return { status: 200, body: releaseJson(c.repo, rel) };
    },
    'repos/get-release': (c) => {
      const rel = c.repo.releases.find((r) => r.id === Number(c.op.params.release_id));
      if (!rel || (rel.draft && !c.token.push)) throw err(404, 'Not Found');
      return { status: 200, body: releaseJson(c.repo, rel) };
    },
    'repos/create-release': (c) => {
      requirePush(c);
      const tag = String(c.body.tag_name);
      if (c.repo.burnedTags.has(tag))
        throw validationFailed([
          {
            resource: 'Release',
            code: 'custom',
            field: 'tag_name',
            message: 'tag_name was used by an immutable release',
          },
        ]);
      const draft = c.body.draft === true;
      if (!draft && c.repo.releases.some((r) => r.tag === tag && !r.draft))
        throw validationFailed([{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
      const at = now();
      const rel: Release = {
        id: id(),
        tag,
        target:
          typeof c.body.target_commitish === 'string' ? c.body.target_commitish : c.repo.facts.defaultBranch,
        name: typeof c.body.name === 'string' ? c.body.name : null,
        body: typeof c.body.body === 'string' ? c.body.body : null,
        draft,
        prerelease: c.body.prerelease === true,
        makeLatest: typeof c.body.make_latest === 'string' ? c.body.make_latest : undefined,
        createdAt: at,
        publishedAt: draft ? null : at,
        updatedAt: at,
        authorLogin: c.token.login,
      };
      if (!draft) ensureTag(c.repo, rel);
      c.repo.releases.push(rel);
      return {
        status: 201,
        body: releaseJson(c.repo, rel),
        headers: {
          location: `${base.api}/repos/${c.repo.facts.owner}/${c.repo.facts.name}/releases/${rel.id}`,
        },
      };
    },
    'repos/update-release': (c) => {
      requirePush(c);
      const rel = c.repo.releases.find((r) => r.id === Number(c.op.params.release_id));
      if (!rel) throw err(404, 'Not Found');
      if (!rel.draft) {
        // Immutable releases: once published, tag, target and draft state are frozen.
        const frozen = (['tag_name', 'target_commitish'] as const).filter(
          (k) => k in c.body && c.body[k] !== (k === 'tag_name' ? rel.tag : rel.target),
        );
        if (frozen.length || c.body.draft === true)
          throw validationFailed(
            [
              {
                resource: 'Release',
                code: 'custom',
                field: frozen[0] ?? 'draft',
                message: 'Cannot modify an immutable release',
              },
            ],
            'Validation Failed',
          );
      }
      if (typeof c.body.tag_name === 'string') rel.tag = c.body.tag_name;
      if (typeof c.body.name === 'string') rel.name = c.body.name;
      if (typeof c.body.body === 'string') rel.body = c.body.body;
      if (typeof c.body.prerelease === 'boolean') rel.prerelease = c.body.prerelease;
      if (typeof c.body.make_latest === 'string') rel.makeLatest = c.body.make_latest;
      if (c.body.draft === false && rel.draft) {
        if (c.repo.burnedTags.has(rel.tag))
          throw validationFailed([
            {
              resource: 'Release',
              code: 'custom',
              field: 'tag_name',
              message: 'tag_name was used by an immutable release',
            },
          ]);
        ensureTag(c.repo, rel);
        rel.draft = false;
        rel.publishedAt = now();
      }
      rel.updatedAt = now();
      return { status: 200, body: releaseJson(c.repo, rel) };
    },
    'repos/delete-release': (c) => {
      requirePush(c);
      const rel = c.repo.releases.find((r) => r.id === Number(c.op.params.release_id));
      if (!rel) throw err(404, 'Not Found');
      deleteRelease(c.repo, rel);
      return { status: 204 };
    },
    'pulls/list': (c) => {
      const state = c.query.get('state') ?? 'open';
      const head = c.query.get('head');
      const baseRef = c.query.get('base');
      const list = c.repo.pulls
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || head === `${c.repo.facts.owner}:${p.head}` || head === p.head)
        .filter((p) => !baseRef || p.base === baseRef)
        .sort((a, b) => b.number - a.number);
      return paginate(
        c,
        list.map((p) =>
          o.pullRequest(base, c.repo.facts, pullFacts(c.repo, p), userObject('release-bot'), false),
        ),
      );
    },
    'pulls/get': (c) => {
      const p = findPull(c.repo, Number(c.op.params.pull_number));
      const facts = pullFacts(c.repo, p);
      if (p.nullReadsLeft > 0) p.nullReadsLeft--;
      return { status: 200, body: o.pullRequest(base, c.repo.facts, facts, userObject('release-bot'), true) };
    },
    'pulls/list-reviews': (c) => {
      const n = Number(c.op.params.pull_number);
      findPull(c.repo, n);
      const list = c.repo.reviews.filter((r) => r.pull === n);
      return paginate(
        c,
        list.map((r) =>
          o.review(
            base,
            c.repo.facts,
            { id: r.id, pull: n, state: r.state, commitId: r.commitId, submittedAt: r.at },
            userObject(r.login),
          ),
        ),
      );
    },
    'pulls/merge': (c) => {
      requirePush(c);
      const p = findPull(c.repo, Number(c.op.params.pull_number));
      const facts = pullFacts(c.repo, p);
      if (p.state !== 'open') throw err(405, 'Pull Request is not mergeable');
      if (typeof c.body.sha === 'string' && c.body.sha !== facts.head.sha)
        throw err(409, 'Head branch was modified. Review and try the merge again.');
      if (p.draft) throw err(405, 'Pull Request is still a draft');
      if (p.mergeState === 'dirty') throw err(405, 'Pull Request is not mergeable');
      if (p.mergeState === 'behind')
        throw err(405, 'Head branch is out of date. Review and try the merge again.');
      if (p.mergeState === 'blocked' || approvalsMissing(c.repo, p) > 0)
        throw err(405, 'At least 1 approving review is required by reviewers with write access.');
      const method = typeof c.body.merge_method === 'string' ? c.body.merge_method : 'merge';
      const headSha = facts.head.sha;
      const baseSha = facts.base.sha;
      const message =
        typeof c.body.commit_title === 'string'
          ? c.body.commit_title
          : `Merge pull request #${p.number} from ${c.repo.facts.owner}/${p.head}`;
      const tree = commits.get(headSha)!.tree;
      const sha = storeCommit(tree, method === 'merge' ? [baseSha, headSha] : [baseSha], message);
      moveRef(c.repo, `refs/heads/${p.base}`, sha);
      closePull(c.repo, p);
      p.closedHeadSha = headSha;
      p.merged = true;
      p.mergedAt = p.closedAt;
      p.mergeCommitSha = sha;
      p.mergeMethod = method;
      return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
    },
    'pulls/update': (c) => {
      requirePush(c);
      const p = findPull(c.repo, Number(c.op.params.pull_number));
      if (c.body.state === 'open' && p.state === 'closed') {
        if (p.merged)
          throw validationFailed([
            {
              resource: 'PullRequest',
              code: 'custom',
              field: 'state',
              message: 'state cannot be changed. The pull request has already been merged.',
            },
          ]);
        if (!c.repo.refs.has(`refs/heads/${p.head}`))
          throw validationFailed([
            {
              resource: 'PullRequest',
              code: 'custom',
              field: 'state',
              message: 'state cannot be changed. The head branch was deleted.',
            },
          ]);
        p.state = 'open';
        p.closedHeadSha = null;
        p.closedAt = null;
        p.nullReadsLeft = Math.max(p.nullReadsLeft, defaultNullReads);
      }
      // Closing a closed (or merged) pull request changes nothing, as on GitHub.
      if (c.body.state === 'closed' && p.state === 'open') closePull(c.repo, p);
      if (typeof c.body.title === 'string') p.title = c.body.title;
      p.updatedAt = now();
      return {
        status: 200,
        body: o.pullRequest(base, c.repo.facts, pullFacts(c.repo, p), userObject('release-bot'), true),
      };
    },
    'issues/create-comment': (c) => {
      requirePush(c);
      const n = Number(c.op.params.issue_number);
      // The simulator has no plain issues: pull requests are the issues that exist.
      findPull(c.repo, n);
      const text = String(c.body.body);
      if (!text.trim())
        throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
      const comment: SimComment = { id: id(), issue: n, login: c.token.login, body: text };
      c.repo.comments.push(comment);
      const json = o.issueComment(
        base,
        c.repo.facts,
        { id: comment.id, issue: n, body: text, createdAt: now() },
        userObject(c.token.login),
      );
      return { status: 201, body: json, headers: { location: String(json.url) } };
    },
    'checks/list-for-ref': (c) => {
      const sha = resolve(c.repo, c.op.params.ref ?? '');
      if (!sha) throw err(422, `No commit found for SHA: ${c.op.params.ref}`);
      let runs = c.repo.checkRuns.filter((r) => r.sha === sha).sort((a, b) => b.id - a.id);
      const name = c.query.get('check_name');
      if (name) runs = runs.filter((r) => r.name === name);
      const status = c.query.get('status');
      if (status) runs = runs.filter((r) => r.status === status);
      if ((c.query.get('filter') ?? 'latest') === 'latest') {
        const seen = new Set<string>();
        runs = runs.filter((r) => !seen.has(r.name) && seen.add(r.name));
      }
      const appObject = o.app(base, userObject('github'));
      const total = runs.length;
      return paginate(
        c,
        runs.map((r) => o.checkRun(base, c.repo.facts, r, appObject)),
        (page) => ({ total_count: total, check_runs: page }),
      );
    },
    'repos/list-commit-statuses-for-ref': (c) => {
      const sha = resolve(c.repo, c.op.params.ref ?? '');
      if (!sha) throw err(404, 'Not Found');
      const list = c.repo.statuses.filter((s) => s.sha === sha).sort((a, b) => b.id - a.id);
      return paginate(
        c,
        list.map((s) => o.statusObject(base, c.repo.facts, s, userObject('ci-bot'))),
      );
    },
    'git/get-ref': (c) => {
      const ref = `refs/${c.op.params.ref}`;
      const lag = c.repo.laggedRefs.get(ref);
      let sha = c.repo.refs.get(ref);
      if (lag && lag.left > 0) {
        lag.left--;
        sha = lag.sha;
      }
      if (!sha) throw err(404, 'Not Found');
      return { status: 200, body: o.gitRef(base, c.repo.facts, ref, sha) };
    },
    'git/list-matching-refs': (c) => {
      // Every ref that starts with refs/{ref}, in ref order; an empty array when none does.
      const prefix = `refs/${c.op.params.ref ?? ''}`;
      const list = [...c.repo.refs.entries()]
        .filter(([ref]) => ref.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return { status: 200, body: list.map(([ref, sha]) => o.gitRef(base, c.repo.facts, ref, sha)) };
    },
    'git/create-ref': (c) => {
      requirePush(c);
      const ref = String(c.body.ref);
      const sha = String(c.body.sha);
      if (!/^refs\/.+\/.+/.test(ref))
        throw err(422, "Reference name must start with 'refs' and have at least two slashes.");
      if (!commits.has(sha)) throw err(422, 'Object does not exist');
      if (c.repo.refs.has(ref)) throw err(422, 'Reference already exists');
      if (ref.startsWith('refs/tags/') && c.repo.burnedTags.has(ref.slice('refs/tags/'.length)))
        throw err(
          422,
          'Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n',
          {
            status: '422',
          },
        );
      moveRef(c.repo, ref, sha);
      return {
        status: 201,
        body: o.gitRef(base, c.repo.facts, ref, sha),
        headers: { location: `${base.api}/repos/${c.repo.facts.owner}/${c.repo.facts.name}/git/${ref}` },
      };
    },
    'git/update-ref': (c) => {
      requirePush(c);
      const ref = `refs/${c.op.params.ref}`;
      const old = c.repo.refs.get(ref);
      const sha = String(c.body.sha);
      if (!old) throw err(422, 'Reference does not exist');
      if (!commits.has(sha)) throw err(422, 'Object does not exist');
      if (c.body.force !== true && !isAncestor(old, sha)) throw err(422, 'Update is not a fast forward');
      moveRef(c.repo, ref, sha);
      return { status: 200, body: o.gitRef(base, c.repo.facts, ref, sha) };
    },
    'git/delete-ref': (c) => {
      requirePush(c);
      const ref = `refs/${c.op.params.ref}`;
      if (!c.repo.refs.has(ref)) throw err(422, 'Reference does not exist');
      c.repo.refs.delete(ref);
      return { status: 204 };
    },
    'git/get-commit': (c) => {
      const commit = commits.get(c.op.params.commit_sha ?? '');
      if (!commit) throw err(404, 'Not Found');
      return { status: 200, body: commitJson(c.repo, commit) };
    },
    'git/create-commit': (c) => {
      requirePush(c);
      const tree = String(c.body.tree);
      if (!trees.has(tree))
        throw validationFailed(
          [{ resource: 'Commit', code: 'invalid', field: 'tree' }],
          'Tree SHA does not exist',
        );
      const parents = Array.isArray(c.body.parents) ? c.body.parents.map(String) : [];
      if (parents.some((p) => !commits.has(p)))
        throw validationFailed(
          [{ resource: 'Commit', code: 'invalid', field: 'parents' }],
          'Parent SHA does not exist or is not a commit object',
        );
      const sha = storeCommit(tree, parents, String(c.body.message));
      return {
        status: 201,
        body: commitJson(c.repo, commits.get(sha)!),
        headers: {
          location: `${base.api}/repos/${c.repo.facts.owner}/${c.repo.facts.name}/git/commits/${sha}`,
        },
      };
    },
    'repos/get-content': (c) => {
      const ref = c.query.get('ref') ?? c.repo.facts.defaultBranch;
      const sha = resolve(c.repo, ref);
      if (!sha) throw err(404, `No commit found for the ref ${ref}`);
      const path = c.op.params.path ?? '';
      const content = filesAt(sha).get(path);
      if (!content) throw err(404, 'Not Found');
      return { status: 200, body: o.contentFile(base, c.repo.facts, path, blobSha(content), content, ref) };
    },
    'repos/create-or-update-file-contents': (c) => {
      requirePush(c);
      const path = c.op.params.path ?? '';
      const branch = typeof c.body.branch === 'string' ? c.body.branch : c.repo.facts.defaultBranch;
      const head = c.repo.refs.get(`refs/heads/${branch}`);
      if (!head) throw err(404, `Branch ${branch} not found`);
      const existing = filesAt(head).get(path);
      if (existing && c.body.sha === undefined) throw err(422, '"sha" wasn\'t supplied.', { status: '422' });
      if (existing && c.body.sha !== blobSha(existing))
        throw err(409, `${path} does not match ${String(c.body.sha)}`);
      const content = Buffer.from(String(c.body.content), 'base64');
      // #455: the write "succeeds", a commit exists, but the file is what it was.
      const written = c.repo.silentNoOp ? {} : { [path]: content };
      const sha = commitFiles(c.repo, branch, written, String(c.body.message));
      const landed = filesAt(sha).get(path) ?? content;
      return {
        status: existing ? 200 : 201,
        body: {
          content: o.contentFile(base, c.repo.facts, path, blobSha(landed), undefined, branch),
          commit: commitJson(c.repo, commits.get(sha)!),
        },
      };
    },
    'repos/create-dispatch-event': (c) => {
      requirePush(c);
      const event: SimDispatch = {
        eventType: String(c.body.event_type),
        clientPayload: (c.body.client_payload ?? {}) as Record<string, unknown>,
        at: now(),
      };
      c.repo.dispatches.push(event);
      const seed = c.repo.dispatchHandler?.(event);
      if (seed) addRun(c.repo, { event: 'repository_dispatch', ...seed });
      return { status: 204 };
    },
    'actions/list-workflow-runs-for-repo': (c) => {
      let runs = [...c.repo.runs].sort((a, b) => b.id - a.id);
      const event = c.query.get('event');
      if (event) runs = runs.filter((r) => r.event === event);
      const status = c.query.get('status');
      if (status) runs = runs.filter((r) => r.status === status || r.conclusion === status);
      const branch = c.query.get('branch');
      if (branch) runs = runs.filter((r) => r.headBranch === branch);
      const created = c.query.get('created');
      if (created) runs = runs.filter((r) => matchesDate(r.createdAt, created));
      const total = runs.length;
      return paginate(
        c,
        runs.map((r) => o.workflowRun(base, c.repo.facts, r, userObject('relkit-release-app[bot]'))),
        (page) => ({ total_count: total, workflow_runs: page }),
      );
    },
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

  const ensureTag = (r: Repo, rel: Release) => {
    const ref = `refs/tags/${rel.tag}`;
    if (r.refs.has(ref)) return;
    const sha = resolve(r, rel.target);
    if (!sha) throw validationFailed([{ resource: 'Release', code: 'invalid', field: 'target_commitish' }]);
    r.refs.set(ref, sha);
  };
  const deleteRelease = (r: Repo, rel: Release) => {
    r.releases = r.releases.filter((x) => x !== rel);
    if (!rel.draft) {
      // Immutable releases tombstone the tag name: it can never be created again (GH013).
      r.burnedTags.add(rel.tag);
      r.refs.delete(`refs/tags/${rel.tag}`);
    }
  };
  const approvalsMissing = (r: Repo, p: Pull) => {
    const latest = new Map<string, SimReviewState>();
    for (const rv of r.reviews.filter((x) => x.pull === p.number && x.state !== 'COMMENTED'))
      latest.set(rv.login, rv.state);
    const approvals = [...latest.values()].filter((s) => s === 'APPROVED').length;
    return Math.max(0, r.requiredApprovals - approvals);
  };
  const reviewDecision = (r: Repo, p: Pull): string | null => {
    if (r.requiredApprovals === 0) return null;
    const latest = new Map<string, SimReviewState>();
    for (const rv of r.reviews.filter((x) => x.pull === p.number && x.state !== 'COMMENTED'))
      latest.set(rv.login, rv.state);
    if ([...latest.values()].includes('CHANGES_REQUESTED')) return 'CHANGES_REQUESTED';
    return approvalsMissing(r, p) === 0 ? 'APPROVED' : 'REVIEW_REQUIRED';
  };
  const addRun = (r: Repo, seed: SimWorkflowRunSeed) => {
    const at = seed.createdAt ?? now();
    const runId = id() * 1000;
    const run: Run = {
      id: runId,
      runNumber: r.runs.length + 1,
      name: seed.name ?? 'Smoke test',
      displayTitle: seed.displayTitle ?? seed.name ?? 'Smoke test',
      event: seed.event ?? 'repository_dispatch',
      status: seed.status ?? 'queued',
      conclusion: seed.conclusion ?? null,
      headBranch: seed.headBranch ?? r.facts.defaultBranch,
      headSha: r.refs.get(`refs/heads/${r.facts.defaultBranch}`) ?? '0'.repeat(40),
      path: seed.path ?? '.github/workflows/repository-dispatch.yml',
      createdAt: at,
      updatedAt: at,
    };
    r.runs.push(run);
    return runId;
  };

  const graphql = (body: JsonObject, token: { push: boolean }) => {
    const query = typeof body.query === 'string' ? body.query : '';
    const vars = (body.variables ?? {}) as Record<string, unknown>;
    if (
      !/pullRequest\s*\(\s*number:\s*\$number\s*\)\s*\{\s*reviewDecision\s*\}/.test(query) ||
      typeof vars.owner !== 'string' ||
      typeof vars.repo !== 'string' ||
      typeof vars.number !== 'number'
    ) {
      // GraphQL is outside the REST OpenAPI description: hold clients to the one query served.
      violations.push({
        kind: 'request',
        request: `POST ${graphqlPath}`,
        operation: 'graphql',
        problems: ['only the pull request reviewDecision query (owner, repo, number: Int) is served'],
      });
      return { errors: [{ message: 'The simulator answers only the pull request reviewDecision query' }] };
    }
    const r = repos.get(`${vars.owner}/${vars.repo}`.toLowerCase());
    const p = r?.pulls.find((x) => x.number === Number(vars.number));
    if (!r || !p || !token) return { data: { repository: r ? { pullRequest: null } : null } };
    return { data: { repository: { pullRequest: { reviewDecision: reviewDecision(r, p) } } } };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestId = `51A1:${(++requestSeq).toString(16).toUpperCase().padStart(4, '0')}:SIM`;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const line = `${method} ${url.pathname}${url.search}`;
      const send = (
        status: number,
        body: unknown,
        headers: Record<string, string> = {},
        op?: MatchedOperation,
      ) => {
        if (op) {
          // GitHub answers 401/403/429/5xx on any operation, and 422 on any write, even where its
          // OpenAPI entry does not list them; those bodies must still be GitHub's error shapes.
          const problems = documented(op, status)
            ? validator.checkResponse(op, status, body)
            : status === 422 && method !== 'GET'
              ? validator.checkComponent('validation-error', body)
              : UNIVERSAL_STATUSES.has(status)
                ? validator.checkComponent('basic-error', body)
                : validator.checkResponse(op, status, body);
          if (problems.length)
            violations.push({
              kind: 'response',
              request: line,
              operation: `${op.method} ${op.template}`,
              status,
              problems,
            });
        }
        requests.push({
          method,
          path: url.pathname + url.search,
          status,
          operation: op ? `${op.method} ${op.template}` : undefined,
          body: parsed,
        });
        res.writeHead(status, {
          'x-github-request-id': requestId,
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4999',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
          'x-github-api-version-selected': '2022-11-28',
          ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
          ...headers,
        });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      const text = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown = undefined;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          send(400, { message: 'Problems parsing JSON', documentation_url: DOCS });
          return;
        }
      }
      const auth = req.headers.authorization ?? '';
      const tokenText = /^(?:token|bearer)\s+(.+)$/i.exec(auth)?.[1];
      const token = tokenText ? tokens.get(tokenText) : undefined;

      if (method === 'POST' && url.pathname === graphqlPath) {
        if (!token) return send(401, { message: 'Bad credentials', documentation_url: DOCS });
        return send(200, graphql((parsed ?? {}) as JsonObject, token));
      }
      if (!url.pathname.startsWith(prefix + '/'))
        return send(404, { message: 'Not Found', documentation_url: DOCS });
      const pathname = url.pathname.slice(prefix.length);
      const op = validator.match(method, pathname);
      if (!op) {
        violations.push({
          kind: 'request',
          request: line,
          operation: undefined,
          problems: ['no operation in the simulator subset of the OpenAPI description matches'],
        });
        return send(404, { message: 'Not Found', documentation_url: DOCS });
      }
      const problems = validator.checkRequest(op, url.searchParams, parsed);
      if (problems.length) {
        violations.push({
          kind: 'request',
          request: line,
          operation: `${op.method} ${op.template}`,
          problems,
        });
        return send(422, {
          message: 'Invalid request.\n\n' + problems.join('\n'),
          documentation_url: DOCS,
          status: '422',
        });
      }
      if (!token) return send(401, { message: 'Bad credentials', documentation_url: DOCS }, {}, op);
      if (rateLimited.left > 0) {
        rateLimited.left--;
        return send(
          403,
          {
            message: 'API rate limit exceeded for installation ID 1.',
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          },
          {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + rateLimited.resetSeconds),
          },
          op,
        );
      }
      const r = repos.get(`${op.params.owner}/${op.params.repo}`.toLowerCase());
      if (!r) return send(404, { message: 'Not Found', documentation_url: DOCS }, {}, op);
      const handler = handlers[op.operationId];
      if (!handler) return send(404, { message: 'Not Found', documentation_url: DOCS }, {}, op);
      try {
        const out = handler({
          op,
          query: url.searchParams,
          body: (parsed ?? {}) as JsonObject,
          token,
          repo: r,
          headers: {},
        });
        send(out.status, out.body, out.headers, op);
      } catch (e) {
        if (e instanceof HttpError) send(e.status, e.body, {}, op);
        else send(500, { message: `simulator bug: ${String(e)}`, documentation_url: DOCS }, {}, op);
      }
    });
  });
  const documented = (op: MatchedOperation, status: number) => validator.documents(op, status);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const web = `http://127.0.0.1:${port}`;
  base = { api: web + prefix, web };

  const assertNoViolations = () => {
    asserted = violations.length;
    if (violations.length === 0) return;
    const text = violations
      .map(
        (v) =>
          `- ${v.kind} ${v.request}${v.status ? ` → ${v.status}` : ''} (${v.operation ?? 'no operation'}):\n    ${v.problems.join('\n    ')}`,
      )
      .join('\n');
    throw new Error(`the GitHub simulator saw ${violations.length} OpenAPI violation(s):\n${text}`);
  };

  const sim: GitHubSimulator = {
    url: base.api,
    pushToken,
    readToken,
    validator,
    violations,
    requests,
    assertNoViolations,
    stop: async () => {
      await new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      });
      if (violations.length > asserted) assertNoViolations();
    },
    createRepo(fullName, opts = {}) {
      const [owner, name] = fullName.split('/');
      if (!owner || !name) throw new Error(`simulator: "${fullName}" is not OWNER/REPO`);
      if (!users.has(owner)) users.set(owner, id());
      const r: Repo = {
        facts: {
          id: id(),
          owner,
          ownerId: users.get(owner)!,
          name,
          defaultBranch: opts.defaultBranch ?? 'main',
        },
        refs: new Map(),
        laggedRefs: new Map(),
        releases: [],
        burnedTags: new Set(),
        pulls: [],
        comments: [],
        reviews: [],
        requiredApprovals: 0,
        checkRuns: [],
        statuses: [],
        dispatches: [],
        dispatchHandler: undefined,
        runs: [],
        silentNoOp: false,
        refLag: 0,
      };
      repos.set(fullName.toLowerCase(), r);
      return commitFiles(
        r,
        r.facts.defaultBranch,
        opts.files ?? { 'README.md': `# ${name}\n` },
        'Initial commit',
      );
    },
    commit: (fullName, branch, files, message = 'simulated change') =>
      commitFiles(repo(fullName), branch, files, message),
    branchSha: (fullName, branch) => repo(fullName).refs.get(`refs/heads/${branch}`),
    refSha: (fullName, ref) => repo(fullName).refs.get(ref),
    readFile(fullName, ref, path) {
      const sha = resolve(repo(fullName), ref);
      return sha ? filesAt(sha).get(path)?.toString('utf8') : undefined;
    },
    commitInfo(_fullName, sha) {
      const c = commits.get(sha);
      return c ? { message: c.message, parents: c.parents } : undefined;
    },
    setRef: (fullName, ref, sha) => moveRef(repo(fullName), ref, sha),
    seedRelease(fullName, s) {
      const r = repo(fullName);
      const at = now();
      const rel: Release = {
        id: id(),
        tag: s.tag,
        target: s.target ?? r.facts.defaultBranch,
        name: s.name ?? s.tag,
        body: s.body ?? null,
        draft: s.draft ?? false,
        prerelease: s.prerelease ?? false,
        makeLatest: undefined,
        createdAt: at,
        publishedAt: s.draft ? null : at,
        updatedAt: at,
        authorLogin: 'relkit-release-app[bot]',
      };
      if (!rel.draft) ensureTag(r, rel);
      r.releases.push(rel);
      return rel.id;
    },
    deleteRelease(fullName, releaseId) {
      const r = repo(fullName);
      const rel = r.releases.find((x) => x.id === releaseId);
      if (!rel) throw new Error(`simulator: no release ${releaseId}`);
      deleteRelease(r, rel);
    },
    releases: (fullName) => repo(fullName).releases.map((r) => ({ ...r })),
    openPull(fullName, p) {
      const r = repo(fullName);
      if (!r.refs.has(`refs/heads/${p.head}`)) commitFiles(r, p.head, {}, `start ${p.head}`);
      const at = now();
      const pull: Pull = {
        id: id(),
        number: r.pulls.length + 1 + 100,
        title: p.title ?? `Release ${p.head}`,
        head: p.head,
        base: p.base,
        draft: p.draft ?? false,
        state: 'open',
        merged: false,
        mergedAt: null,
        mergeCommitSha: null,
        mergeMethod: undefined,
        mergeState: 'clean',
        closedHeadSha: null,
        closedAt: null,
        nullReadsLeft: defaultNullReads,
        createdAt: at,
        updatedAt: at,
      };
      r.pulls.push(pull);
      return pull.number;
    },
    pull(fullName, n) {
      const r = repo(fullName);
      const p = r.pulls.find((x) => x.number === n);
      if (!p) throw new Error(`simulator: no pull request #${n}`);
      return {
        number: p.number,
        head: p.head,
        base: p.base,
        headSha: p.closedHeadSha ?? r.refs.get(`refs/heads/${p.head}`) ?? '',
        draft: p.draft,
        state: p.state,
        merged: p.merged,
        mergeMethod: p.mergeMethod,
        mergeCommitSha: p.mergeCommitSha,
        closedAt: p.closedAt,
      };
    },
    closePull(fullName, n) {
      const r = repo(fullName);
      const p = r.pulls.find((x) => x.number === n);
      if (!p) throw new Error(`simulator: no pull request #${n}`);
      if (p.state === 'open') closePull(r, p);
    },
    comments: (fullName, n) => repo(fullName).comments.filter((x) => x.issue === n),
    deleteRef(fullName, ref) {
      repo(fullName).refs.delete(ref);
    },
    setPullDraft(fullName, n, draft) {
      const p = repo(fullName).pulls.find((x) => x.number === n)!;
      p.draft = draft;
      p.nullReadsLeft = Math.max(p.nullReadsLeft, defaultNullReads);
    },
    setMergeState(fullName, n, state, nullReads = defaultNullReads) {
      const p = repo(fullName).pulls.find((x) => x.number === n)!;
      p.mergeState = state;
      p.nullReadsLeft = nullReads;
    },
    review(fullName, n, login, state) {
      const r = repo(fullName);
      const p = r.pulls.find((x) => x.number === n)!;
      r.reviews.push({
        id: id(),
        pull: n,
        login,
        state,
        commitId: r.refs.get(`refs/heads/${p.head}`) ?? '',
        at: now(),
      });
    },
    requireApprovals(fullName, count) {
      repo(fullName).requiredApprovals = count;
    },
    addCheckRun(fullName, sha, c) {
      const r = repo(fullName);
      const status = c.status ?? 'completed';
      const started = c.startedAt ?? now();
      const run = {
        id: id(),
        sha,
        name: c.name,
        status,
        conclusion: status === 'completed' ? (c.conclusion ?? 'success') : null,
        startedAt: started,
        completedAt: status === 'completed' ? now() : null,
      };
      r.checkRuns.push(run);
      return run.id;
    },
    updateCheckRun(fullName, runId, change) {
      const run = repo(fullName).checkRuns.find((x) => x.id === runId);
      if (!run) throw new Error(`simulator: no check run ${runId}`);
      if (change.status) run.status = change.status;
      if (change.conclusion !== undefined) run.conclusion = change.conclusion;
      if (run.status === 'completed') {
        run.conclusion ??= 'success';
        run.completedAt ??= now();
      } else {
        run.conclusion = null;
        run.completedAt = null;
      }
    },
    addStatus(fullName, sha, s) {
      repo(fullName).statuses.push({
        id: id(),
        sha,
        context: s.context,
        state: s.state,
        createdAt: s.createdAt ?? now(),
        description: null,
      });
    },
    dispatches: (fullName) => [...repo(fullName).dispatches],
    onDispatch(fullName, handler) {
      repo(fullName).dispatchHandler = handler;
    },
    addWorkflowRun: (fullName, run) => addRun(repo(fullName), run),
    setWorkflowRun(fullName, runId, change) {
      const run = repo(fullName).runs.find((x) => x.id === runId);
      if (!run) throw new Error(`simulator: no workflow run ${runId}`);
      if (change.status !== undefined) run.status = change.status;
      if (change.conclusion !== undefined) run.conclusion = change.conclusion;
      run.updatedAt = now();
    },
    silentNoOpCommits(fullName, on) {
      repo(fullName).silentNoOp = on;
    },
    refReadLag(fullName, reads) {
      repo(fullName).refLag = reads;
    },
    exhaustRateLimit(count, resetSeconds = 1) {
      rateLimited = { left: count, resetSeconds };
    },
  };
  return sim;
}

function matchesDate(at: string, filter: string): boolean {
  const t = Date.parse(at);
  const range = /^(.+)\.\.(.+)$/.exec(filter);
  if (range) return t >= Date.parse(range[1]!) && t <= Date.parse(range[2]!);
  const m = /^(>=|<=|>|<)?(.+)$/.exec(filter)!;
  const v = Date.parse(m[2]!);
  switch (m[1]) {
    case '>=':
      return t >= v;
    case '>':
      return t > v;
    case '<=':
      return t <= v;
    case '<':
      return t < v;
    default:
      return at.startsWith(m[2]!);
  }
}
