// Plain data in release-domain terms: what the forge port returns. No Octokit types leak out.
import type { RepositoryName } from './repository.js';

/** A GitHub Release as relkit sees it. */
export interface ReleaseInfo {
  readonly id: number;
  readonly tag: string;
  readonly name: string | null;
  /** The release notes (GitHub's `body`). */
  readonly notes: string | null;
  readonly draft: boolean;
  readonly prerelease: boolean;
  /** True once published on a repository with immutable releases (tag and assets frozen). */
  readonly immutable: boolean | undefined;
  readonly targetCommitish: string;
  readonly url: string;
  readonly createdAt: string;
  readonly publishedAt: string | null;
}

/** The outcome of looking a release up by tag, drafts included. */
export interface ReleaseLookup {
  readonly repository: RepositoryName;
  readonly tag: string;
  readonly release: ReleaseInfo | undefined;
  /**
   * Whether the token can list draft releases (push access). When false, "not found" may be a
   * draft the token cannot see; undefined when GitHub did not say (e.g. some app tokens).
   */
  readonly draftsVisible: boolean | undefined;
}

/** `make_latest` of the Releases API, chosen explicitly at publish time. */
export type MakeLatest = 'true' | 'false' | 'legacy';

export interface DraftReleaseInput {
  readonly tag: string;
  readonly notes: string;
  /** Default: the tag. */
  readonly name?: string;
  readonly prerelease?: boolean;
  /** Refuse unless the tag already exists (like `gh release create --verify-tag`); default true. */
  readonly requireTag?: boolean;
}

export interface DraftReleaseResult {
  /** created: new draft; updated: an existing draft got the new notes; unchanged: already as asked. */
  readonly outcome: 'created' | 'updated' | 'unchanged';
  readonly release: ReleaseInfo;
}

export interface PublishResult {
  /** published: this call published it; already-published: it was (a resumed promote). */
  readonly outcome: 'published' | 'already-published';
  readonly release: ReleaseInfo;
}

/** Which downstream release counts as "the smoke test passed". */
export type SmokeRule = 'prerelease' | 'published' | 'either';

export interface SmokeSignal {
  readonly repository: RepositoryName;
  readonly tag: string;
  readonly rule: SmokeRule;
  /**
   * passed: the rule holds; pending: a release exists but not yet in the wanted state (draft, or a
   * pre-release where a final is wanted); unexpected: a published final release under the
   * 'prerelease' rule (it will never become one: check the rule); absent: none found.
   */
  readonly state: 'passed' | 'pending' | 'unexpected' | 'absent';
  readonly release: ReleaseInfo | undefined;
  /** One human sentence: why, with the draft / prerelease state spelled out. */
  readonly reason: string;
  readonly draftsVisible: boolean | undefined;
}

export interface BranchNames {
  /** Default `release/{version}`. `{version}` is replaced. */
  readonly head?: string;
  /** Default `main`. */
  readonly base?: string;
}

export interface PullRequestInfo {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly state: 'open' | 'closed' | 'merged';
  readonly draft: boolean;
  readonly head: { readonly ref: string; readonly sha: string };
  readonly base: { readonly ref: string; readonly sha: string };
  readonly mergeCommitSha: string | null;
}

/** A pull request to open. */
export interface PullRequestOpen {
  readonly head: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly draft: boolean;
}

/** How a head ref relates to a base ref (GitHub's compare BASE...HEAD). */
export interface BranchComparisonInfo {
  readonly status: 'identical' | 'ahead' | 'behind' | 'diverged';
  readonly aheadBy: number;
  readonly behindBy: number;
  readonly mergeBase: string;
}

export interface PullRequestClose {
  /** closed: this call closed it (after commenting); already-closed: it was (a re-run). */
  readonly outcome: 'closed' | 'already-closed';
  readonly pullRequest: PullRequestInfo;
}

export type ReviewDecision = 'APPROVED' | 'CHANGES_REQUESTED' | 'REVIEW_REQUIRED';

export interface Approval {
  readonly approved: boolean;
  /** GitHub's reviewDecision; null when the base branch requires no reviews. */
  readonly decision: ReviewDecision | null;
  /** review-decision: taken from GitHub; reviews: counted from the reviews list (decision was null). */
  readonly source: 'review-decision' | 'reviews';
  readonly approvedBy: readonly string[];
  /** Whether an approval was given on the PR's current head commit (false without the head). */
  readonly approvedOnHead: boolean;
  /** Reviewers whose latest approval is of the current head commit. */
  readonly approvedHeadBy: readonly string[];
  readonly changesRequestedBy: readonly string[];
}

export type CheckVerdict = 'success' | 'failure' | 'pending' | 'neutral' | 'skipped';

export interface CheckResult {
  readonly name: string;
  readonly source: 'check-run' | 'status';
  readonly verdict: CheckVerdict;
  /** GitHub's raw value: check-run conclusion or status, or commit-status state. */
  readonly raw: string;
  readonly startedAt: string;
  readonly url: string | null;
}

export interface CheckSummary {
  /** green: ≥1 success and nothing failed or pending; none: no checks at all. */
  readonly verdict: 'green' | 'pending' | 'failed' | 'none';
  /** The latest run per check name (older runs of the same name do not count). */
  readonly checks: readonly CheckResult[];
  readonly failed: readonly string[];
  readonly pending: readonly string[];
  /** How many older runs were ignored because a newer run of the same name exists. */
  readonly superseded: number;
}

export interface Mergeability {
  /** mergeable: GitHub will merge it; the rest say why not. unknown: still computing after re-queries. */
  readonly state: 'mergeable' | 'behind' | 'blocked' | 'dirty' | 'draft' | 'unknown' | 'merged' | 'closed';
  /** GitHub's mergeable_state as sent (clean, unstable, has_hooks, behind, blocked, dirty, draft, unknown). */
  readonly mergeStateStatus: string;
  readonly reason: string;
  /** What to do, when state is not mergeable. */
  readonly advice: string | undefined;
}

/** Everything the gates need about the release PR, observed in one go. */
export interface PullRequestReport {
  readonly pullRequest: PullRequestInfo;
  readonly approval: Approval;
  readonly checks: CheckSummary;
  readonly mergeability: Mergeability;
  /** Human reasons this PR cannot be merged now; empty when it can. */
  readonly blockers: readonly string[];
}

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export interface MergeInput {
  /** The head SHA that was checked; GitHub refuses the merge (409) if the PR moved. */
  readonly expectedHeadSha: string;
  /** Default merge: a merge commit keeps the main→dev sync clean. */
  readonly method?: MergeMethod;
  /** Default true. False only when the base branch needs no review. */
  readonly requireApproval?: boolean;
  readonly commitTitle?: string;
  /**
   * The caller has just checked the PR (draft, approval, checks, mergeability) at this head:
   * skip the re-read here and rely on the sha guard. Default false.
   */
  readonly checkedByCaller?: boolean;
}

export interface MergeResult {
  readonly outcome: 'merged' | 'already-merged';
  readonly mergeCommitSha: string;
  readonly pullRequest: PullRequestInfo;
}

export interface TagResult {
  /** created: this call made it; exists: it already pointed at the SHA (a lost race or a re-run). */
  readonly outcome: 'created' | 'exists';
  readonly tag: string;
  readonly sha: string;
}

export interface TagDeletion {
  /** deleted: this call deleted it; absent: there was no such tag (a re-run). */
  readonly outcome: 'deleted' | 'absent';
  readonly tag: string;
  /** Where the tag pointed before, when it existed. */
  readonly sha: string | undefined;
}

export type RefCreateResult =
  | { readonly created: true; readonly ref: string; readonly sha: string }
  | { readonly created: false; readonly ref: string; readonly sha: string };

export interface FileCommitInput {
  readonly branch: string;
  readonly path: string;
  readonly content: string;
  readonly message: string;
}

/** Several files in one commit on `branch`, whose head must still be `parentSha`. */
export interface FilesCommitInput {
  readonly branch: string;
  readonly files: readonly { readonly path: string; readonly content: string }[];
  readonly message: string;
  readonly parentSha: string;
}

export interface FileCommitResult {
  /** committed: a new commit holds the content; unchanged: the branch already had it. */
  readonly outcome: 'committed' | 'unchanged';
  /** The commit that holds the content (build from this exact SHA, #455). */
  readonly commitSha: string;
  readonly blobSha: string;
}

/** The release lock's current commit on GitHub and the record (state) it carries. */
export interface LockCommit {
  readonly name: string;
  readonly ref: string;
  readonly sha: string;
  /** What core wrote (JSON); empty for a commit relkit did not write. */
  readonly record: string;
}

/** A conditional write of the lock: `written: false` when someone moved it first. */
export type LockWrite = { readonly written: true; readonly sha: string } | { readonly written: false };

export interface DispatchInput {
  readonly eventType: string;
  /** Travels as client_payload.correlation_id; e.g. `<repo>:<run id>:<tag>`. */
  readonly correlationId: string;
  /** More client_payload fields (at most 9: GitHub allows 10 with correlation_id). */
  readonly payload?: Readonly<Record<string, string | number | boolean>>;
}

/** What is needed later to find the run a dispatch started, and nothing older. */
export interface DispatchReceipt {
  readonly repository: RepositoryName;
  readonly eventType: string;
  readonly correlationId: string;
  /** GitHub's clock (Date header of the dispatch answer), ISO 8601. */
  readonly dispatchedAt: string;
  /** The newest repository_dispatch run id before the dispatch (0 if none): older runs never match. */
  readonly baselineRunId: number;
}

export interface WorkflowRunInfo {
  readonly id: number;
  readonly url: string;
  readonly workflowPath: string;
  readonly displayTitle: string;
  readonly status: string | null;
  readonly conclusion: string | null;
  readonly createdAt: string;
  /** correlation-id: its title carries the id; baseline: the only new run after the dispatch. */
  readonly boundBy: 'correlation-id' | 'baseline';
}

/** What a token may do on a repository, as GitHub tells it (GET /repos/{owner}/{repo}). */
export interface RepositoryAccess {
  /** Push (write) access; undefined when GitHub does not say truthfully (an App token, see canPush). */
  readonly push: boolean | undefined;
  /** The repository's `permissions` object for this token, as GitHub sent it. */
  readonly permissions:
    | { readonly admin: boolean; readonly maintain?: boolean; readonly push: boolean; readonly pull: boolean }
    | undefined;
  /** A classic token's scopes (X-OAuth-Scopes); absent for fine-grained and App tokens. */
  readonly scopes?: readonly string[];
  readonly tokenKind: 'app' | 'user';
}

/** A container package (ghcr.io) as the GitHub Packages API names it. */
export interface ContainerPackage {
  readonly owner: string;
  /** The package name: the image path after the owner, e.g. `app` or `tools/cli`. */
  readonly name: string;
  readonly ownerType: 'org' | 'user';
}

/** One version of a container package: its id, manifest digest and tags. */
export interface ContainerVersion {
  readonly id: number;
  readonly digest: string;
  readonly tags: readonly string[];
}
