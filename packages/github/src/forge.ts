import { createClient, type ForgeOctokit, type GitHubClientOptions } from './client.js';
import { forgeContext, type ForgeContext } from './forge/context.js';
import * as attestations from './forge/attestations.js';
import * as branches from './forge/branches.js';
import * as contents from './forge/contents.js';
import * as dispatch from './forge/dispatch.js';
import * as locks from './forge/lock.js';
import * as merge from './forge/merge.js';
import * as packages from './forge/packages.js';
import * as report from './forge/pull-request-report.js';
import * as probes from './forge/probes.js';
import * as pulls from './forge/pull-requests.js';
import * as refs from './forge/refs.js';
import * as releases from './forge/releases.js';
import * as smoke from './forge/smoke.js';
import * as tags from './forge/tags.js';
import * as treeCommit from './forge/tree-commit.js';
import type { RepositoryName } from './repository.js';
import type {
  BranchComparisonInfo,
  BranchNames,
  CheckSummary,
  ContainerPackage,
  ContainerVersion,
  DispatchInput,
  DispatchReceipt,
  DraftReleaseInput,
  DraftReleaseResult,
  FileCommitInput,
  FilesCommitInput,
  FileCommitResult,
  LockCommit,
  LockWrite,
  MakeLatest,
  MergeInput,
  MergeResult,
  PublishResult,
  PullRequestClose,
  PullRequestInfo,
  PullRequestOpen,
  PullRequestReport,
  RefCreateResult,
  ReleaseInfo,
  RepositoryAccess,
  ReleaseLookup,
  SmokeRule,
  SmokeSignal,
  TagDeletion,
  TagResult,
  WorkflowRunInfo,
} from './types.js';

export interface GitHubForgeOptions extends GitHubClientOptions {
  /** Pause between re-queries (mergeability, read-after-write, dispatched runs); default 2000 ms. */
  readonly pollIntervalMs?: number;
  /** Reads of a PR while GitHub reports mergeability unknown; default 5 (the origin's 5×). */
  readonly mergeabilityAttempts?: number;
  /** Reads of a ref after a write until it shows the new SHA (#617 lag); default 10. */
  readonly readBackAttempts?: number;
}

/**
 * The GitHub side of publish and promote, over @octokit/rest with the throttling and retry
 * plugins. Every method returns plain data in release terms, is safe to call again after a
 * failure or crash (it observes before it acts), and reads back what it wrote.
 *
 * A facade: each verb lives in its own file under forge/ (one resource per file) and takes the
 * shared ForgeContext; this class holds that context and delegates.
 */
export class GitHubForge {
  readonly octokit: ForgeOctokit;
  private readonly ctx: ForgeContext;

  constructor(options: GitHubForgeOptions) {
    this.octokit = createClient(options);
    this.ctx = forgeContext(this.octokit, options.token, {
      pollMs: options.pollIntervalMs ?? 2000,
      mergeabilityAttempts: Math.max(1, options.mergeabilityAttempts ?? 5),
      readBackAttempts: Math.max(1, options.readBackAttempts ?? 10),
    });
  }

  // ------------------------------------------------------------------------------------------
  // Releases
  // ------------------------------------------------------------------------------------------

  /** Whether this token has push access (and so sees draft releases); undefined if GitHub does not say. */
  canPush(repo: RepositoryName): Promise<boolean | undefined> {
    return releases.canPush(this.ctx, repo);
  }

  /** What the token may do on the repository, read-only (the doctor's probe; see forge/probes.ts). */
  repositoryAccess(repo: RepositoryName): Promise<RepositoryAccess> {
    return probes.repositoryAccess(this.ctx, repo);
  }

  /** The first page of releases is readable; whether a draft is visible in it (push access). */
  releasesVisible(repo: RepositoryName): Promise<{ drafts: boolean }> {
    return probes.releasesVisible(this.ctx, repo);
  }

  /** Pull requests are readable (lists one). */
  pullRequestsReadable(repo: RepositoryName): Promise<void> {
    return probes.pullRequestsReadable(this.ctx, repo);
  }

  /**
   * Finds the release for a tag, drafts included, by listing releases (GET /releases/tags/{tag}
   * never returns a draft, #507). Only a token with push access sees drafts in the list (#517),
   * so the lookup also reports whether drafts were visible.
   */
  findRelease(repo: RepositoryName, tag: string): Promise<ReleaseLookup> {
    return releases.findRelease(this.ctx, repo, tag);
  }

  /** The draft release for a tag; a clear error if it is missing, invisible to this token, or published. */
  getDraftRelease(repo: RepositoryName, tag: string): Promise<ReleaseInfo> {
    return releases.getDraftRelease(this.ctx, repo, tag);
  }

  /**
   * Creates the draft release for a tag with the given notes. An existing draft is the retry
   * path (its notes are brought up to date); an existing published release is an error.
   */
  createDraftRelease(repo: RepositoryName, input: DraftReleaseInput): Promise<DraftReleaseResult> {
    return releases.createDraftRelease(this.ctx, repo, input);
  }

  /**
   * Publishes the draft release of a tag (`draft: false`) with an explicit make_latest. Already
   * published counts as done, so a resumed promote goes on. This is irreversible.
   */
  /**
   * Publishes the draft release of a tag. `draftId`: the id of the draft the caller has just
   * observed (the release engine does, in its gates), which saves the lookup; the published
   * release is read back either way and must carry the tag.
   */
  publishRelease(
    repo: RepositoryName,
    tag: string,
    options: { makeLatest: MakeLatest; draftId?: number },
  ): Promise<PublishResult> {
    return releases.publishRelease(this.ctx, repo, tag, options);
  }

  /**
   * Deletes the draft release of a tag (the abandon path). A published release is never deleted:
   * on GitHub that burns the tag name forever (#1301).
   */
  deleteDraftRelease(repo: RepositoryName, tag: string): Promise<{ outcome: 'deleted' | 'absent' }> {
    return releases.deleteDraftRelease(this.ctx, repo, tag);
  }

  // ------------------------------------------------------------------------------------------
  // Downstream smoke signal
  // ------------------------------------------------------------------------------------------

  /**
   * Whether the downstream repository signalled "smoke test passed" for a tag by a release:
   * `published` (a published, non-prerelease release: what the origin ships), `prerelease` (a
   * published pre-release: the original request's wording) or `either` (any published release).
   */
  checkSmokeSignal(repo: RepositoryName, tag: string, rule: SmokeRule): Promise<SmokeSignal> {
    return smoke.checkSmokeSignal(this.ctx, repo, tag, rule);
  }

  // ------------------------------------------------------------------------------------------
  // Release pull request
  // ------------------------------------------------------------------------------------------

  /** The open PR `release/{version}` → `main` (names configurable); undefined if none. */
  findReleasePullRequest(
    repo: RepositoryName,
    version: string,
    branches: BranchNames = {},
  ): Promise<PullRequestInfo | undefined> {
    return pulls.findReleasePullRequest(this.ctx, repo, version, branches);
  }

  /**
   * The pull request `head` → `base` in whatever state: the open one; else the most recently
   * merged one (a resumed promote must see `merged`); else the most recently closed one (an
   * abandoned release). Several open ones are AMBIGUOUS. Undefined when none ever existed.
   */
  findPullRequest(
    repo: RepositoryName,
    branches: { head: string; base: string },
  ): Promise<PullRequestInfo | undefined> {
    return pulls.findPullRequest(this.ctx, repo, branches);
  }

  /**
   * Closes a pull request with a comment saying why (the abandon path). Already closed counts as
   * done; a merged pull request is an error (it cannot be un-merged). The comment goes first so
   * the reason is on the PR before it closes; a crash between the two re-comments on a re-run.
   */
  closePullRequest(repo: RepositoryName, number: number, comment: string): Promise<PullRequestClose> {
    return pulls.closePullRequest(this.ctx, repo, number, comment);
  }

  /**
   * Everything the PR gate needs: draft, approval (reviewDecision with the reviews-list
   * fallback), checks (latest run per name), mergeability (re-queried while GitHub computes it).
   */
  observePullRequest(
    repo: RepositoryName,
    number: number,
    hint?: { readonly headSha?: string },
  ): Promise<PullRequestReport> {
    return report.observePullRequest(this.ctx, repo, number, hint);
  }

  /** Check runs and commit statuses of a commit, merged; only the latest run per name counts. */
  readChecks(repo: RepositoryName, sha: string): Promise<CheckSummary> {
    return report.readChecks(this.ctx, repo, sha);
  }

  /**
   * Merges the release PR, after re-checking everything right before (#1132/#1487: the state
   * may have changed since the gates ran) and with GitHub's `sha` guard, so a PR that moved is
   * not merged. Already merged counts as done.
   */
  mergePullRequest(repo: RepositoryName, number: number, input: MergeInput): Promise<MergeResult> {
    return merge.mergePullRequest(this.ctx, repo, number, input);
  }

  // ------------------------------------------------------------------------------------------
  // Refs, tags, locks
  // ------------------------------------------------------------------------------------------

  /** The SHA a ref points at (`tags/1.2.3`, `heads/main` or `refs/...`); undefined if it does not exist. */
  getRef(repo: RepositoryName, ref: string): Promise<string | undefined> {
    return refs.getRef(this.ctx, repo, ref);
  }

  /** Creates a ref; if it exists, reports where it points instead (the refs API answers 422). */
  createRef(
    repo: RepositoryName,
    ref: string,
    sha: string,
    options: { readBack?: boolean } = {},
  ): Promise<RefCreateResult> {
    return refs.createRef(this.ctx, repo, ref, sha, options);
  }

  /** Deletes a ref; with `expectedSha`, only while it still points there. Absent counts as done. */
  deleteRef(
    repo: RepositoryName,
    ref: string,
    options: { expectedSha?: string } = {},
  ): Promise<{ deleted: boolean }> {
    return refs.deleteRef(this.ctx, repo, ref, options);
  }

  /** The Sigstore bundles of the repository's artifact attestations for a subject digest; none is []. */
  listAttestations(repo: RepositoryName, digest: string, signal?: AbortSignal): Promise<readonly unknown[]> {
    return attestations.listAttestations(this.ctx, repo, digest, signal);
  }

  /** Versions of a container package (ghcr.io), all pages; undefined when GitHub answers 404. */
  listContainerVersions(p: ContainerPackage, signal?: AbortSignal): Promise<ContainerVersion[] | undefined> {
    return packages.listContainerVersions(this.ctx, p, signal);
  }

  /** Deletes a version of a container package; false when it was already gone. */
  deleteContainerVersion(p: ContainerPackage, id: number, signal?: AbortSignal): Promise<boolean> {
    return packages.deleteContainerVersion(this.ctx, p, id, signal);
  }

  /** Names of the tags starting with `prefix` (all pages; `''` lists every tag). */
  listTags(repo: RepositoryName, prefix: string): Promise<string[]> {
    return refs.listTags(this.ctx, repo, prefix);
  }

  // ------------------------------------------------------------------------------------------
  // Branches (gitflow: the release branch, the integration sync)
  // ------------------------------------------------------------------------------------------

  /** How `head` relates to `base` (compare BASE...HEAD): identical, ahead, behind or diverged. */
  compareBranches(repo: RepositoryName, base: string, head: string): Promise<BranchComparisonInfo> {
    return branches.compareBranches(this.ctx, repo, base, head);
  }

  /** Creates a branch at a commit; already there at that commit is success, elsewhere a CONFLICT. */
  createBranch(repo: RepositoryName, branch: string, sha: string): Promise<{ created: boolean }> {
    return branches.createBranch(this.ctx, repo, branch, sha);
  }

  /** Moves a branch from `fromSha` to `toSha` by a non-forced ref update (a fast-forward only). */
  fastForwardBranch(
    repo: RepositoryName,
    branch: string,
    fromSha: string,
    toSha: string,
  ): Promise<{ moved: boolean }> {
    return branches.fastForwardBranch(this.ctx, repo, branch, fromSha, toSha);
  }

  /** Opens a pull request (a draft if asked); the same one already open is returned. */
  openPullRequest(repo: RepositoryName, input: PullRequestOpen): Promise<PullRequestInfo> {
    return branches.openPullRequest(this.ctx, repo, input);
  }

  /**
   * Deletes a tag that has no release, draft or published (the abandon path: a version tag made
   * by publish whose release never existed or was a deleted draft). It looks for a release right
   * before deleting and refuses if there is one, or if the token cannot see drafts; a tag with a
   * published release is never touched (forward-fix policy, #1301). Absent counts as done.
   */
  deleteTagWithoutRelease(repo: RepositoryName, tag: string): Promise<TagDeletion> {
    return tags.deleteTagWithoutRelease(this.ctx, repo, tag);
  }

  /**
   * Creates the lightweight version tag at a SHA (lightweight: an annotated tag made by a bot is
   * forever "unsigned", #1370). A race lost to the same SHA is success; another SHA is an error.
   */
  createTag(repo: RepositoryName, tag: string, sha: string): Promise<TagResult> {
    return tags.createTag(this.ctx, repo, tag, sha);
  }

  /** The release lock's current commit and record (refs/relkit-locks/<name>); undefined when absent. */
  readLock(repo: RepositoryName, name: string): Promise<LockCommit | undefined> {
    return locks.readLock(this.ctx, repo, name);
  }

  /**
   * Writes the lock's next state over exactly the commit `from` (undefined: creates the ref):
   * a new commit with that parent and a non-forced ref update, refused unless it fast-forwards.
   */
  writeLock(
    repo: RepositoryName,
    name: string,
    from: string | undefined,
    record: string,
  ): Promise<LockWrite> {
    return locks.writeLock(this.ctx, repo, name, from, record);
  }

  /** The lock's current commit alone (the ref: one request); undefined when absent. */
  readLockVersion(repo: RepositoryName, name: string): Promise<string | undefined> {
    return locks.readLockVersion(this.ctx, repo, name);
  }

  /** The record a lock commit carries (empty for a commit relkit did not write). */
  readLockRecord(repo: RepositoryName, name: string, sha: string): Promise<string> {
    return locks.readLockRecord(this.ctx, repo, name, sha);
  }

  /** Makes the commit of a next state over `from` without moving the lock ref (its SHA). */
  stageLock(repo: RepositoryName, name: string, from: string | undefined, record: string): Promise<string> {
    return locks.stageLock(this.ctx, repo, name, from, record);
  }

  /** Moves the lock ref from `from` to a staged child `to`, without force; false when refused. */
  moveLock(repo: RepositoryName, name: string, from: string | undefined, to: string): Promise<boolean> {
    return locks.moveLock(this.ctx, repo, name, from, to);
  }

  // ------------------------------------------------------------------------------------------
  // File commits through the API
  // ------------------------------------------------------------------------------------------

  /**
   * Commits one file's new content to a branch through the contents API (works on protected
   * branches for apps with bypass), then reads back from the commit it returned that the
   * content landed. A "successful" API commit that changed nothing fails loudly (#455).
   */
  commitFile(repo: RepositoryName, input: FileCommitInput): Promise<FileCommitResult> {
    return contents.commitFile(this.ctx, repo, input);
  }

  /**
   * Commits several files in one commit through the git data API (blobs, tree, commit, a
   * non-forced ref update from `parentSha`), then reads every file back at the new commit.
   */
  commitFiles(repo: RepositoryName, input: FilesCommitInput): Promise<{ readonly commitSha: string }> {
    return treeCommit.commitFiles(this.ctx, repo, input);
  }

  /** A file's text at a ref (branch, tag or SHA); undefined if absent. */
  readFile(
    repo: RepositoryName,
    path: string,
    ref: string,
  ): Promise<{ content: string; sha: string } | undefined> {
    return contents.readFile(this.ctx, repo, path, ref);
  }

  // ------------------------------------------------------------------------------------------
  // Dispatch and the run it started
  // ------------------------------------------------------------------------------------------

  /**
   * Sends a repository_dispatch carrying the correlation id in client_payload, and records what
   * is needed to find the run it starts and nothing older: GitHub's clock at dispatch time and
   * the newest existing repository_dispatch run (#1477).
   */
  dispatch(repo: RepositoryName, input: DispatchInput): Promise<DispatchReceipt> {
    return dispatch.dispatch(this.ctx, repo, input);
  }

  /**
   * Finds the workflow run a dispatch started: a repository_dispatch run newer than the baseline
   * and created after the dispatch (minus 60 s of clock skew). A run whose title carries the
   * correlation id wins (set `run-name: ${{ github.event.client_payload.correlation_id }}`);
   * otherwise exactly one new run must exist. Never "the newest run" (#1477).
   */
  findDispatchedRun(
    receipt: DispatchReceipt,
    options: { workflowPath?: string; timeoutMs?: number; requireCorrelationId?: boolean } = {},
  ): Promise<WorkflowRunInfo> {
    return dispatch.findDispatchedRun(this.ctx, receipt, options);
  }
}
