// The GitHub simulator's public types: what tests see of it (the scenario API included).
import type { OpenApiValidator, OpenApiViolation } from './openapi.js';
import type { SimPackageOptions, SimPackageSource } from './packages.js';

export type SimMergeState = 'clean' | 'unstable' | 'has_hooks' | 'behind' | 'blocked' | 'dirty';
export type SimReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';

export interface GitHubSimulatorOptions {
  /** Serve under /api/v3 (and GraphQL under /api/graphql) like GitHub Enterprise Server. */
  readonly enterprise?: boolean;
  /** How many GETs of a pull request report `mergeable: null` after it changed (GitHub computes it asynchronously). Default 1. */
  readonly mergeableNullReads?: number;
}

/**
 * GitHub behaviours a test may switch off to get the kinder simulator of old (each is on by
 * default, as on github.com; docs/github-behaviours.md lists the sources).
 */
export interface SimBehaviours {
  /** #1: repos.get reports `permissions.push: false` for App installation tokens (semantic-release/github#182). */
  appTokensReportNoPush: boolean;
  /** #6: `make_latest: true` on a prerelease or draft is a 422 (REST docs, "Update a release"). */
  refuseLatestPrerelease: boolean;
  /** #2: `filter=latest` keeps the latest run per check identity (app + name + workflow), not per name. */
  latestPerCheckIdentity: boolean;
  /** #8: reviews carry the reviewer's real author_association (not always MEMBER). */
  realAuthorAssociation: boolean;
}

/**
 * A fault injected into the next matching requests. `applied-then-5xx` / `applied-then-dropped`:
 * the write takes effect, then GitHub answers 502 or the connection drops (what a client sees as
 * an ambiguous failure). `secondary-429` / `secondary-403`: GitHub's secondary rate limit answer
 * (403 without Retry-After, or 429 with it), before anything is applied.
 */
export interface SimFault {
  /** `METHOD /template` of the operation, e.g. `POST /repos/{owner}/{repo}/git/refs`. */
  readonly operation: string;
  readonly kind: 'applied-then-5xx' | 'applied-then-dropped' | 'secondary-429' | 'secondary-403';
  /** How many matching requests it hits; default 1. */
  readonly times?: number;
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
  /** A person's token with read-only access (ghp_): cannot see drafts, cannot write. */
  readonly readToken: string;
  /** A GitHub App installation token (ghs_) with write access; repos.get says push: false (#182). */
  readonly appToken: string;
  /** A person's token (ghp_) with write access: its API commits are never signed. */
  readonly userToken: string;
  /** A GITHUB_TOKEN-like installation token with write access that reaches only `fullName` (404 elsewhere). */
  repositoryToken(fullName: string): string;
  /** Switches GitHub behaviours off (or on again) for this simulator; all are on by default. */
  behave(change: Partial<SimBehaviours>): void;
  /** Faults for the next matching requests (see SimFault). */
  injectFault(fault: SimFault): void;
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
  /** #7: the merge methods the repository allows (Settings → General → Pull Requests). */
  setMergeMethods(fullName: string, methods: Partial<Record<'merge' | 'squash' | 'rebase', boolean>>): void;
  /** #4: a ruleset on `branch` requiring signed commits (API commits are signed only for Apps). */
  requireSignedCommits(fullName: string, branch: string): void;
  /** #5: a ruleset restricting creation of refs matching `pattern` (full ref name, e.g. /^refs\/tags\//). */
  restrictRefCreation(fullName: string, pattern: RegExp): void;
  /** Whether published releases are immutable (default true). */
  immutableReleases(fullName: string, on: boolean): void;
  /** #10: every release created from now on is missing from the next `reads` list reads. */
  releaseListLag(fullName: string, reads: number): void;
  /** Commits files on a branch (creating the branch from the default branch if needed); returns the SHA. */
  commit(fullName: string, branch: string, files: Record<string, string | null>, message?: string): string;
  branchSha(fullName: string, branch: string): string | undefined;
  refSha(fullName: string, ref: string): string | undefined;
  readFile(fullName: string, ref: string, path: string): string | undefined;
  commitInfo(fullName: string, sha: string): { message: string; parents: readonly string[] } | undefined;
  setRef(fullName: string, ref: string, sha: string): void;
  /** Stores a Sigstore bundle as actions/attest* does without push-to-registry (the attestations API). */
  addAttestation(fullName: string, subjectDigest: string, bundle: unknown): void;
  /**
   * A container package (ghcr.io) served by the Packages API: its versions are the source's
   * manifests (memoryPackageSource, or registryPackageSource for a live registry repository).
   */
  addContainerPackage(
    owner: string,
    name: string,
    source: SimPackageSource,
    options?: SimPackageOptions,
  ): void;
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
  /** A review; `association` is the reviewer's author_association (default MEMBER). */
  review(
    fullName: string,
    number: number,
    login: string,
    state: SimReviewState,
    association?: 'OWNER' | 'MEMBER' | 'COLLABORATOR' | 'CONTRIBUTOR' | 'FIRST_TIME_CONTRIBUTOR' | 'NONE',
  ): void;
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
      /** #2: the app reporting it (default GitHub Actions). */
      app?: { id: number; slug: string; name: string };
      /** #2: the Actions workflow it belongs to (default: a workflow of its own). */
      workflow?: string;
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
  /** #9: the next `requests` REST requests get a secondary rate limit answer (403 without Retry-After, or 429 with it). */
  secondaryRateLimit(requests: number, answer?: { status?: 403 | 429; retryAfterSeconds?: number }): void;
}
