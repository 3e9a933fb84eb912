import {
  createClient,
  statusOf,
  toGitHubError,
  type ForgeOctokit,
  type GitHubClientOptions,
} from './client.js';
import { summarizeChecks, type RawCheck } from './checks.js';
import { GitHubError } from './errors.js';
import { classifyMergeability, evaluateApproval } from './pull-requests.js';
import type { RepositoryName } from './repository.js';
import type {
  BranchNames,
  CheckSummary,
  DispatchInput,
  DispatchReceipt,
  DraftReleaseInput,
  DraftReleaseResult,
  FileCommitInput,
  FileCommitResult,
  LockInfo,
  LockResult,
  MakeLatest,
  MergeInput,
  MergeResult,
  Mergeability,
  PublishResult,
  PullRequestClose,
  PullRequestInfo,
  PullRequestReport,
  RefCreateResult,
  ReleaseInfo,
  ReleaseLookup,
  ReviewDecision,
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

const SHA_RE = /^[0-9a-f]{40}$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._+/-]*$/;
const LOCK_MESSAGE = 'relkit-lock';
// Runs a dispatch starts may carry a created_at a little before GitHub's Date header (#1477).
const DISPATCH_BACKDATE_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `name/with-slashes` → `refs/name/with-slashes`; `refs/...` unchanged. */
function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/${ref}`;
}

/**
 * The GitHub side of publish and promote, over @octokit/rest with the throttling and retry
 * plugins. Every method returns plain data in release terms, is safe to call again after a
 * failure or crash (it observes before it acts), and reads back what it wrote.
 */
export class GitHubForge {
  readonly octokit: ForgeOctokit;
  private readonly token: string;
  private readonly pollMs: number;
  private readonly mergeabilityAttempts: number;
  private readonly readBackAttempts: number;

  constructor(options: GitHubForgeOptions) {
    this.octokit = createClient(options);
    this.token = options.token;
    this.pollMs = options.pollIntervalMs ?? 2000;
    this.mergeabilityAttempts = Math.max(1, options.mergeabilityAttempts ?? 5);
    this.readBackAttempts = Math.max(1, options.readBackAttempts ?? 10);
  }

  private fail(e: unknown, doing: string, advice?: Partial<Record<number, string>>): GitHubError {
    return toGitHubError(e, doing, this.token, advice);
  }

  private async call<T>(
    doing: string,
    fn: () => Promise<T>,
    advice?: Partial<Record<number, string>>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.fail(e, doing, advice);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Releases
  // ------------------------------------------------------------------------------------------

  /** Whether this token has push access (and so sees draft releases); undefined if GitHub does not say. */
  async canPush(repo: RepositoryName): Promise<boolean | undefined> {
    const { data } = await this.call(`reading ${repo.owner}/${repo.repo}`, () =>
      this.octokit.rest.repos.get({ ...repo }),
    );
    return data.permissions?.push;
  }

  /**
   * Finds the release for a tag, drafts included, by listing releases (GET /releases/tags/{tag}
   * never returns a draft, #507). Only a token with push access sees drafts in the list (#517),
   * so the lookup also reports whether drafts were visible.
   */
  async findRelease(repo: RepositoryName, tag: string): Promise<ReleaseLookup> {
    checkTag(tag);
    const name = `${repo.owner}/${repo.repo}`;
    const [all, draftsVisible] = await Promise.all([
      this.call(`listing releases of ${name}`, () =>
        this.octokit.paginate(this.octokit.rest.repos.listReleases, { ...repo, per_page: 100 }),
      ),
      this.canPush(repo),
    ]);
    const matches = all.filter((r) => r.tag_name === tag);
    if (matches.length > 1) {
      // Several drafts may share a tag (GitHub allows it); a published one wins, else refuse.
      const published = matches.filter((r) => !r.draft);
      if (published.length !== 1)
        throw new GitHubError(
          'AMBIGUOUS',
          `${name} has ${matches.length} releases for tag ${tag} (ids ${matches.map((r) => r.id).join(', ')})`,
          {
            advice: 'delete the extra draft releases in the GitHub UI, keeping one',
          },
        );
      return { repository: repo, tag, release: toRelease(published[0]!), draftsVisible };
    }
    return { repository: repo, tag, release: matches[0] ? toRelease(matches[0]) : undefined, draftsVisible };
  }

  /** The draft release for a tag; a clear error if it is missing, invisible to this token, or published. */
  async getDraftRelease(repo: RepositoryName, tag: string): Promise<ReleaseInfo> {
    const found = await this.findRelease(repo, tag);
    if (!found.release) throw notFoundRelease(found);
    if (!found.release.draft)
      throw new GitHubError(
        'PRECONDITION_FAILED',
        `the release ${tag} of ${repo.owner}/${repo.repo} is already published, not a draft`,
        {
          advice:
            'published releases are immutable: if this version is done, there is nothing to promote; otherwise cut the next patch version',
        },
      );
    return found.release;
  }

  /**
   * Creates the draft release for a tag with the given notes. An existing draft is the retry
   * path (its notes are brought up to date); an existing published release is an error.
   */
  async createDraftRelease(repo: RepositoryName, input: DraftReleaseInput): Promise<DraftReleaseResult> {
    const name = `${repo.owner}/${repo.repo}`;
    const found = await this.findRelease(repo, input.tag);
    if (found.draftsVisible === false)
      throw new GitHubError(
        'FORBIDDEN',
        `the token cannot see draft releases of ${name}, so it cannot tell whether a draft for ${input.tag} exists`,
        {
          advice: 'use a token with push access (contents: write); only those see drafts',
        },
      );
    const existing = found.release;
    if (existing && !existing.draft)
      throw new GitHubError('PRECONDITION_FAILED', `${name} already has a published release ${input.tag}`, {
        advice: 'published releases are immutable and cannot be replaced: cut the next patch version',
      });
    const title = input.name ?? input.tag;
    const prerelease = input.prerelease ?? false;
    if (existing) {
      if (existing.notes === input.notes && existing.name === title && existing.prerelease === prerelease)
        return { outcome: 'unchanged', release: existing };
      const { data } = await this.call(`updating the draft release ${input.tag} of ${name}`, () =>
        this.octokit.rest.repos.updateRelease({
          ...repo,
          release_id: existing.id,
          body: input.notes,
          name: title,
          prerelease,
        }),
      );
      return {
        outcome: 'updated',
        release: await this.verifyRelease(repo, data.id, { draft: true, notes: input.notes }),
      };
    }
    if (input.requireTag ?? true) {
      const sha = await this.getRef(repo, `tags/${input.tag}`);
      if (!sha)
        throw new GitHubError('PRECONDITION_FAILED', `tag ${input.tag} does not exist in ${name}`, {
          advice: 'create the version tag first (createTag) so the draft is attached to the exact commit',
        });
    }
    const { data } = await this.call(`creating the draft release ${input.tag} of ${name}`, () =>
      this.octokit.rest.repos.createRelease({
        ...repo,
        tag_name: input.tag,
        name: title,
        body: input.notes,
        draft: true,
        prerelease,
      }),
    ).catch((e: unknown) => {
      throw burnedTag(e, input.tag, name);
    });
    return {
      outcome: 'created',
      release: await this.verifyRelease(repo, data.id, { draft: true, notes: input.notes }),
    };
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
  async publishRelease(
    repo: RepositoryName,
    tag: string,
    options: { makeLatest: MakeLatest; draftId?: number },
  ): Promise<PublishResult> {
    if (!['true', 'false', 'legacy'].includes(options.makeLatest))
      throw new GitHubError(
        'INVALID_INPUT',
        `makeLatest must be 'true', 'false' or 'legacy', not ${JSON.stringify(options.makeLatest)}`,
      );
    const name = `${repo.owner}/${repo.repo}`;
    let id = options.draftId;
    if (id === undefined) {
      const found = await this.findRelease(repo, tag);
      if (!found.release) throw notFoundRelease(found);
      if (!found.release.draft) return { outcome: 'already-published', release: found.release };
      id = found.release.id;
    }
    const releaseId = id;
    await this.call(`publishing the release ${tag} of ${name}`, () =>
      this.octokit.rest.repos.updateRelease({
        ...repo,
        release_id: releaseId,
        draft: false,
        make_latest: options.makeLatest,
      }),
    ).catch((e: unknown) => {
      throw burnedTag(e, tag, name);
    });
    const release = await this.verifyRelease(repo, releaseId, { draft: false });
    if (release.tag !== tag)
      throw new GitHubError(
        'VERIFICATION_FAILED',
        `release ${releaseId} of ${name} is ${release.tag}, not ${tag}`,
        {
          advice: 'the release id does not belong to this tag; nothing else was changed',
        },
      );
    return { outcome: 'published', release };
  }

  /**
   * Deletes the draft release of a tag (the abandon path). A published release is never deleted:
   * on GitHub that burns the tag name forever (#1301).
   */
  async deleteDraftRelease(repo: RepositoryName, tag: string): Promise<{ outcome: 'deleted' | 'absent' }> {
    const found = await this.findRelease(repo, tag);
    if (!found.release) {
      if (found.draftsVisible === false) throw notFoundRelease(found);
      return { outcome: 'absent' };
    }
    if (!found.release.draft)
      throw new GitHubError(
        'PRECONDITION_FAILED',
        `refusing to delete the published release ${tag} of ${repo.owner}/${repo.repo}`,
        {
          advice:
            'deleting a published release tombstones its tag forever; fix forward with the next patch version',
        },
      );
    const id = found.release.id;
    await this.call(`deleting the draft release ${tag}`, () =>
      this.octokit.rest.repos.deleteRelease({ ...repo, release_id: id }),
    );
    return { outcome: 'deleted' };
  }

  private async verifyRelease(
    repo: RepositoryName,
    id: number,
    want: { draft: boolean; notes?: string },
  ): Promise<ReleaseInfo> {
    const { data } = await this.call(`reading back release ${id}`, () =>
      this.octokit.rest.repos.getRelease({ ...repo, release_id: id }),
    );
    const r = toRelease(data);
    if (r.draft !== want.draft || (want.notes !== undefined && r.notes !== want.notes))
      throw new GitHubError(
        'VERIFICATION_FAILED',
        `release ${r.tag} (id ${id}) reads back as draft=${r.draft} with ${r.notes === want.notes ? 'the expected' : 'different'} notes after the write`,
        {
          advice: 'look at the release on GitHub; re-run to converge',
        },
      );
    return r;
  }

  // ------------------------------------------------------------------------------------------
  // Downstream smoke signal
  // ------------------------------------------------------------------------------------------

  /**
   * Whether the downstream repository signalled "smoke test passed" for a tag by a release:
   * `published` (a published, non-prerelease release: what the origin ships), `prerelease` (a
   * published pre-release: the original request's wording) or `either` (any published release).
   */
  async checkSmokeSignal(repo: RepositoryName, tag: string, rule: SmokeRule): Promise<SmokeSignal> {
    if (!['prerelease', 'published', 'either'].includes(rule))
      throw new GitHubError(
        'INVALID_INPUT',
        `smoke rule must be 'prerelease', 'published' or 'either', not ${JSON.stringify(rule)}`,
      );
    const name = `${repo.owner}/${repo.repo}`;
    const found = await this.findRelease(repo, tag);
    const base = { repository: repo, tag, rule, release: found.release, draftsVisible: found.draftsVisible };
    const r = found.release;
    if (!r) {
      const invisible =
        found.draftsVisible === false ? ' (this token cannot see drafts there, so a draft may exist)' : '';
      return {
        ...base,
        state: 'absent',
        reason: `${name} has no release ${tag} yet${invisible}; if a published one existed and was deleted, the tag is burned for good and the version must be re-cut`,
      };
    }
    const kind = `${r.draft ? 'a draft' : 'a published'} ${r.prerelease ? 'pre-release' : 'final release'}`;
    const passed =
      !r.draft &&
      (rule === 'either' ||
        (rule === 'published' && !r.prerelease) ||
        (rule === 'prerelease' && r.prerelease));
    const wanted =
      rule === 'published'
        ? 'a published final release'
        : rule === 'prerelease'
          ? 'a published pre-release'
          : 'a published release';
    return {
      ...base,
      // A published final release never turns into a pre-release: under 'prerelease' that is a
      // mismatch between the rule and the downstream contract, not something to wait for.
      state: passed
        ? 'passed'
        : !r.draft && !r.prerelease && rule === 'prerelease'
          ? 'unexpected'
          : 'pending',
      reason: passed
        ? `${name} has ${kind} ${tag}, as rule '${rule}' requires`
        : `${name} has ${kind} ${tag}; rule '${rule}' wants ${wanted}${r.draft ? ' (still a draft)' : r.prerelease ? ' (still a pre-release, expected final)' : ' (it is final, not a pre-release)'}`,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Release pull request
  // ------------------------------------------------------------------------------------------

  /** The open PR `release/{version}` → `main` (names configurable); undefined if none. */
  async findReleasePullRequest(
    repo: RepositoryName,
    version: string,
    branches: BranchNames = {},
  ): Promise<PullRequestInfo | undefined> {
    const head = (branches.head ?? 'release/{version}').replace('{version}', version);
    const baseRef = branches.base ?? 'main';
    const name = `${repo.owner}/${repo.repo}`;
    const list = await this.call(`listing pull requests ${head} → ${baseRef} of ${name}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, {
        ...repo,
        head: `${repo.owner}:${head}`,
        base: baseRef,
        state: 'open',
        per_page: 100,
      }),
    );
    if (list.length > 1)
      throw new GitHubError(
        'AMBIGUOUS',
        `${name} has ${list.length} open pull requests ${head} → ${baseRef} (#${list.map((p) => p.number).join(', #')})`,
        {
          advice: 'close all but one',
        },
      );
    const p = list[0];
    return p ? toPullInfo(p) : undefined;
  }

  /**
   * The pull request `head` → `base` in whatever state: the open one; else the most recently
   * merged one (a resumed promote must see `merged`); else the most recently closed one (an
   * abandoned release). Several open ones are AMBIGUOUS. Undefined when none ever existed.
   */
  async findPullRequest(
    repo: RepositoryName,
    branches: { head: string; base: string },
  ): Promise<PullRequestInfo | undefined> {
    const { head, base } = branches;
    const name = `${repo.owner}/${repo.repo}`;
    const list = await this.call(`listing pull requests ${head} → ${base} of ${name}`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, {
        ...repo,
        head: `${repo.owner}:${head}`,
        base,
        state: 'all',
        per_page: 100,
      }),
    );
    const open = list.filter((p) => p.state === 'open');
    if (open.length > 1)
      throw new GitHubError(
        'AMBIGUOUS',
        `${name} has ${open.length} open pull requests ${head} → ${base} (#${open.map((p) => p.number).join(', #')})`,
        { advice: 'close all but one' },
      );
    if (open[0]) return toPullInfo(open[0]);
    const newest = (ps: typeof list) =>
      [...ps].sort((a, b) => (b.closed_at ?? '').localeCompare(a.closed_at ?? '') || b.number - a.number)[0];
    const p = newest(list.filter((x) => x.merged_at)) ?? newest(list);
    return p ? toPullInfo(p) : undefined;
  }

  /**
   * Closes a pull request with a comment saying why (the abandon path). Already closed counts as
   * done; a merged pull request is an error (it cannot be un-merged). The comment goes first so
   * the reason is on the PR before it closes; a crash between the two re-comments on a re-run.
   */
  async closePullRequest(repo: RepositoryName, number: number, comment: string): Promise<PullRequestClose> {
    if (!comment.trim())
      throw new GitHubError('INVALID_INPUT', `closing #${number} needs a comment saying why`);
    const name = `${repo.owner}/${repo.repo}`;
    const read = async () => {
      const { data } = await this.call(`reading pull request #${number} of ${name}`, () =>
        this.octokit.rest.pulls.get({ ...repo, pull_number: number }),
      );
      return toPullInfo({ ...data, merged_at: data.merged ? (data.merged_at ?? 'merged') : null });
    };
    const before = await read();
    if (before.state === 'merged')
      throw new GitHubError(
        'PRECONDITION_FAILED',
        `#${number} of ${name} is already merged; not closing it`,
        {
          advice: 'a merged release PR means the release was promoted: there is nothing to abandon',
        },
      );
    if (before.state === 'closed') return { outcome: 'already-closed', pullRequest: before };
    await this.call(`commenting on #${number} of ${name}`, () =>
      this.octokit.rest.issues.createComment({ ...repo, issue_number: number, body: comment }),
    );
    await this.call(`closing #${number} of ${name}`, () =>
      this.octokit.rest.pulls.update({ ...repo, pull_number: number, state: 'closed' }),
    );
    const after = await read();
    if (after.state === 'open')
      throw new GitHubError(
        'VERIFICATION_FAILED',
        `#${number} of ${name} still reads back as open after closing it`,
        {
          advice: 'look at the pull request on GitHub; re-run to converge',
        },
      );
    if (after.state === 'merged')
      throw new GitHubError(
        'PRECONDITION_FAILED',
        `#${number} of ${name} was merged meanwhile; it cannot be closed`,
      );
    return { outcome: 'closed', pullRequest: after };
  }

  /**
   * Everything the PR gate needs: draft, approval (reviewDecision with the reviews-list
   * fallback), checks (latest run per name), mergeability (re-queried while GitHub computes it).
   */
  async observePullRequest(repo: RepositoryName, number: number): Promise<PullRequestReport> {
    const { pr, mergeability } = await this.readMergeability(repo, number);
    const [approval, checks] = await Promise.all([
      this.readApproval(repo, number),
      this.readChecks(repo, pr.head.sha),
    ]);
    const blockers: string[] = [];
    if (pr.state !== 'open') blockers.push(`the pull request is ${pr.state}`);
    if (pr.draft) blockers.push('the pull request is a draft');
    if (!approval.approved)
      blockers.push(
        approval.changesRequestedBy.length
          ? `changes requested by ${approval.changesRequestedBy.join(', ')}`
          : `not approved (${approval.decision ?? 'no approving review'})`,
      );
    if (checks.verdict !== 'green')
      blockers.push(
        checks.verdict === 'failed'
          ? `checks failed: ${checks.failed.join(', ')}`
          : checks.verdict === 'pending'
            ? `checks pending: ${checks.pending.join(', ')}`
            : 'no checks reported on the head commit',
      );
    if (mergeability.state !== 'mergeable' && mergeability.state !== 'draft' && pr.state === 'open')
      blockers.push(`${mergeability.reason}${mergeability.advice ? `: ${mergeability.advice}` : ''}`);
    return { pullRequest: pr, approval, checks, mergeability, blockers };
  }

  private async readMergeability(
    repo: RepositoryName,
    number: number,
  ): Promise<{ pr: PullRequestInfo; mergeability: Mergeability }> {
    for (let attempt = 1; ; attempt++) {
      const { data } = await this.call(`reading pull request #${number}`, () =>
        this.octokit.rest.pulls.get({ ...repo, pull_number: number }),
      );
      const pr = toPullInfo(data);
      const mergeability = classifyMergeability(
        {
          merged: data.merged,
          state: data.state,
          draft: data.draft ?? false,
          mergeable: data.mergeable,
          mergeableState: data.mergeable_state,
        },
        data.head.ref,
        data.base.ref,
      );
      // GitHub computes mergeability asynchronously: null / unknown means "ask again".
      if (mergeability.state !== 'unknown' || attempt >= this.mergeabilityAttempts)
        return { pr, mergeability };
      await sleep(this.pollMs);
    }
  }

  private async readApproval(repo: RepositoryName, number: number) {
    const [decision, reviews] = await Promise.all([
      this.reviewDecision(repo, number),
      this.call(`listing reviews of #${number}`, () =>
        this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
          ...repo,
          pull_number: number,
          per_page: 100,
        }),
      ),
    ]);
    return evaluateApproval(
      decision,
      reviews.map((r) => ({
        login: r.user?.login ?? '',
        state: r.state,
        submittedAt: r.submitted_at ?? null,
      })),
    );
  }

  private async reviewDecision(repo: RepositoryName, number: number): Promise<ReviewDecision | null> {
    const query = `query($owner: String!, $repo: String!, $number: Int!) {
      repository(owner: $owner, name: $repo) { pullRequest(number: $number) { reviewDecision } }
    }`;
    const data = await this.call(`reading the review decision of #${number}`, () =>
      this.octokit.graphql<{
        repository: { pullRequest: { reviewDecision: ReviewDecision | null } | null } | null;
      }>(query, {
        owner: repo.owner,
        repo: repo.repo,
        number,
      }),
    );
    return data.repository?.pullRequest?.reviewDecision ?? null;
  }

  /** Check runs and commit statuses of a commit, merged; only the latest run per name counts. */
  async readChecks(repo: RepositoryName, sha: string): Promise<CheckSummary> {
    const [runs, statuses] = await Promise.all([
      this.call(`listing check runs of ${sha.slice(0, 12)}`, () =>
        this.octokit.paginate(this.octokit.rest.checks.listForRef, {
          ...repo,
          ref: sha,
          filter: 'all',
          per_page: 100,
        }),
      ),
      this.call(`listing commit statuses of ${sha.slice(0, 12)}`, () =>
        this.octokit.paginate(this.octokit.rest.repos.listCommitStatusesForRef, {
          ...repo,
          ref: sha,
          per_page: 100,
        }),
      ),
    ]);
    const raw: RawCheck[] = [
      ...runs.map((r) => ({
        source: 'check-run' as const,
        id: r.id,
        name: r.name,
        status: r.status,
        conclusion: r.conclusion ?? null,
        startedAt: r.started_at ?? r.completed_at ?? '1970-01-01T00:00:00Z',
        url: r.html_url ?? null,
      })),
      ...statuses.map((s) => ({
        source: 'status' as const,
        id: s.id,
        name: s.context,
        status: s.state,
        conclusion: null,
        startedAt: s.created_at,
        url: s.target_url ?? null,
      })),
    ];
    return summarizeChecks(raw);
  }

  /**
   * Merges the release PR, after re-checking everything right before (#1132/#1487: the state
   * may have changed since the gates ran) and with GitHub's `sha` guard, so a PR that moved is
   * not merged. Already merged counts as done.
   */
  async mergePullRequest(repo: RepositoryName, number: number, input: MergeInput): Promise<MergeResult> {
    if (!SHA_RE.test(input.expectedHeadSha))
      throw new GitHubError(
        'INVALID_INPUT',
        `expectedHeadSha must be a full 40-character commit SHA, not ${JSON.stringify(input.expectedHeadSha)}`,
      );
    const method = input.method ?? 'merge';
    if (!['merge', 'squash', 'rebase'].includes(method))
      throw new GitHubError(
        'INVALID_INPUT',
        `merge method must be merge, squash or rebase, not ${JSON.stringify(method)}`,
      );
    // The release engine re-checks the PR with its own gates right before calling this; then the
    // sha guard below (GitHub answers 409 when the head moved) is the only check left to make.
    if (!input.checkedByCaller) {
      const report = await this.observePullRequest(repo, number);
      const pr = report.pullRequest;
      if (pr.state === 'merged') {
        if (pr.head.sha !== input.expectedHeadSha)
          throw new GitHubError(
            'HEAD_MOVED',
            `#${number} was merged at head ${pr.head.sha.slice(0, 12)}, not the checked ${input.expectedHeadSha.slice(0, 12)}`,
            {
              advice: 'someone merged a different head; inspect main before going on',
            },
          );
        return { outcome: 'already-merged', mergeCommitSha: pr.mergeCommitSha ?? '', pullRequest: pr };
      }
      if (pr.head.sha !== input.expectedHeadSha)
        throw new GitHubError(
          'HEAD_MOVED',
          `#${number} head is now ${pr.head.sha.slice(0, 12)}, not the checked ${input.expectedHeadSha.slice(0, 12)}; not merged`,
          {
            advice: 'new commits landed on the release branch: re-run the gates for the new head',
          },
        );
      const blockers = report.blockers.filter(
        (b) => input.requireApproval !== false || !b.startsWith('not approved'),
      );
      if (blockers.length)
        throw new GitHubError('NOT_MERGEABLE', `#${number} cannot be merged: ${blockers.join('; ')}`, {
          advice: report.mergeability.advice ?? 'fix what is listed and re-run; nothing was merged',
        });
    }
    const { data } = await this.call(
      `merging #${number}`,
      () =>
        this.octokit.rest.pulls.merge({
          ...repo,
          pull_number: number,
          sha: input.expectedHeadSha,
          merge_method: method,
          ...(input.commitTitle ? { commit_title: input.commitTitle } : {}),
        }),
      {
        405: 'GitHub refused the merge: check branch protection, approvals and mergeability',
        409: 'the head moved: re-run the gates',
      },
    ).catch((e: unknown) => {
      const status = statusOf(e);
      const err = this.fail(e, `merging #${number}`);
      if (status === 409)
        throw new GitHubError('HEAD_MOVED', err.message, {
          status,
          requestId: err.requestId,
          advice: 'the release branch moved: re-run the gates for the new head',
        });
      if (status === 405)
        throw new GitHubError('NOT_MERGEABLE', err.message, {
          status,
          requestId: err.requestId,
          advice: err.advice,
        });
      throw err;
    });
    // Read back: the PR must now be merged at the commit GitHub returned.
    const after = await this.call(`reading back #${number}`, () =>
      this.octokit.rest.pulls.get({ ...repo, pull_number: number }),
    );
    if (!after.data.merged || after.data.merge_commit_sha !== data.sha)
      throw new GitHubError(
        'VERIFICATION_FAILED',
        `#${number} does not read back as merged at ${data.sha.slice(0, 12)}`,
        {
          advice: 'look at the pull request on GitHub; re-run to converge',
        },
      );
    return {
      outcome: 'merged',
      mergeCommitSha: data.sha,
      pullRequest: toPullInfo(after.data),
    };
  }

  // ------------------------------------------------------------------------------------------
  // Refs, tags, locks
  // ------------------------------------------------------------------------------------------

  /** The SHA a ref points at (`tags/1.2.3`, `heads/main` or `refs/...`); undefined if it does not exist. */
  async getRef(repo: RepositoryName, ref: string): Promise<string | undefined> {
    const short = fullRef(ref).slice('refs/'.length);
    try {
      const { data } = await this.octokit.rest.git.getRef({ ...repo, ref: short });
      return data.object.sha;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw this.fail(e, `reading ref ${short}`);
    }
  }

  /** Creates a ref; if it exists, reports where it points instead (the refs API answers 422). */
  async createRef(
    repo: RepositoryName,
    ref: string,
    sha: string,
    options: { readBack?: boolean } = {},
  ): Promise<RefCreateResult> {
    const full = fullRef(ref);
    if (!SHA_RE.test(sha))
      throw new GitHubError(
        'INVALID_INPUT',
        `a ref needs a full 40-character commit SHA, not ${JSON.stringify(sha)}`,
      );
    if (full.split('/').length < 3)
      throw new GitHubError('INVALID_INPUT', `"${full}" is not a ref name like refs/tags/1.2.3`);
    try {
      await this.octokit.rest.git.createRef({ ...repo, ref: full, sha });
    } catch (e) {
      if (statusOf(e) === 422) {
        const existing = await this.getRef(repo, full);
        if (existing) return { created: false, ref: full, sha: existing };
      }
      throw burnedTag(
        this.fail(e, `creating ${full}`),
        full.slice('refs/tags/'.length),
        `${repo.owner}/${repo.repo}`,
      );
    }
    if (options.readBack !== false) await this.waitForRef(repo, full, sha);
    return { created: true, ref: full, sha };
  }

  /** Deletes a ref; with `expectedSha`, only while it still points there. Absent counts as done. */
  async deleteRef(
    repo: RepositoryName,
    ref: string,
    options: { expectedSha?: string } = {},
  ): Promise<{ deleted: boolean }> {
    const full = fullRef(ref);
    if (full.startsWith('refs/tags/'))
      throw new GitHubError(
        'INVALID_INPUT',
        `refusing to delete the tag ${full}: version tags are forever (forward-fix policy)`,
        {
          advice: 'cut the next version instead of moving or deleting a tag',
        },
      );
    const current = await this.getRef(repo, full);
    if (!current) return { deleted: false };
    if (options.expectedSha && current !== options.expectedSha)
      throw new GitHubError(
        'CONFLICT',
        `${full} points at ${current.slice(0, 12)}, not ${options.expectedSha.slice(0, 12)}; not deleted`,
      );
    try {
      await this.octokit.rest.git.deleteRef({ ...repo, ref: full.slice('refs/'.length) });
    } catch (e) {
      if (statusOf(e) === 422 && !(await this.getRef(repo, full))) return { deleted: false };
      throw this.fail(e, `deleting ${full}`);
    }
    return { deleted: true };
  }

  /** Names of the tags starting with `prefix` (all pages; `''` lists every tag). */
  async listTags(repo: RepositoryName, prefix: string): Promise<string[]> {
    const refs = await this.call(`listing tags ${prefix}* of ${repo.owner}/${repo.repo}`, () =>
      this.octokit.paginate(this.octokit.rest.git.listMatchingRefs, { ...repo, ref: `tags/${prefix}` }),
    );
    return refs.map((r) => r.ref.slice('refs/tags/'.length)).filter((t) => t.startsWith(prefix));
  }

  /**
   * Deletes a tag that has no release, draft or published (the abandon path: a version tag made
   * by publish whose release never existed or was a deleted draft). It looks for a release right
   * before deleting and refuses if there is one, or if the token cannot see drafts; a tag with a
   * published release is never touched (forward-fix policy, #1301). Absent counts as done.
   */
  async deleteTagWithoutRelease(repo: RepositoryName, tag: string): Promise<TagDeletion> {
    checkTag(tag);
    const name = `${repo.owner}/${repo.repo}`;
    const found = await this.findRelease(repo, tag);
    if (found.release)
      throw new GitHubError(
        'PRECONDITION_FAILED',
        `refusing to delete tag ${tag} of ${name}: it has a ${found.release.draft ? 'draft' : 'published'} release`,
        {
          advice: found.release.draft
            ? 'delete the draft release first (deleteDraftRelease), then the tag'
            : 'a published release and its tag are forever: fix forward with the next patch version',
        },
      );
    if (found.draftsVisible === false)
      throw new GitHubError(
        'FORBIDDEN',
        `the token cannot see draft releases of ${name}, so it cannot tell that tag ${tag} has no draft release; not deleting it`,
        { advice: 'use a token with push access (contents: write)' },
      );
    const full = `refs/tags/${tag}`;
    const sha = await this.getRef(repo, full);
    if (!sha) return { outcome: 'absent', tag, sha: undefined };
    try {
      await this.octokit.rest.git.deleteRef({ ...repo, ref: `tags/${tag}` });
    } catch (e) {
      if (statusOf(e) === 422 && !(await this.getRef(repo, full))) return { outcome: 'absent', tag, sha };
      throw this.fail(e, `deleting tag ${tag} of ${name}`);
    }
    return { outcome: 'deleted', tag, sha };
  }

  /**
   * Creates the lightweight version tag at a SHA (lightweight: an annotated tag made by a bot is
   * forever "unsigned", #1370). A race lost to the same SHA is success; another SHA is an error.
   */
  async createTag(repo: RepositoryName, tag: string, sha: string): Promise<TagResult> {
    checkTag(tag);
    const r = await this.createRef(repo, `refs/tags/${tag}`, sha);
    if (r.created) return { outcome: 'created', tag, sha };
    if (r.sha === sha) return { outcome: 'exists', tag, sha };
    throw new GitHubError(
      'CONFLICT',
      `tag ${tag} of ${repo.owner}/${repo.repo} already points at ${r.sha.slice(0, 12)}, not ${sha.slice(0, 12)}`,
      {
        advice: 'tags are immutable: if that tag is wrong, release the next version',
      },
    );
  }

  /**
   * Takes a lock named `name` as the ref `refs/relkit-locks/<name>`: creating a ref is atomic
   * (422 if it exists). The ref points at a commit whose message records holder and expiry, so
   * another machine can see who holds it and take over once it expired.
   */
  /**
   * Takes a lock ref. `branch` names an existing branch whose tree the lock commit reuses (the
   * default branch when omitted, which costs one more read).
   */
  async acquireLock(
    repo: RepositoryName,
    name: string,
    options: { holder: string; ttlMs: number; now?: Date; branch?: string },
  ): Promise<LockResult> {
    return this.takeLock(repo, name, options, 1);
  }

  private async takeLock(
    repo: RepositoryName,
    name: string,
    options: { holder: string; ttlMs: number; now?: Date; branch?: string },
    attempt: number,
  ): Promise<LockResult> {
    if (!/^[A-Za-z0-9._-]+$/.test(name))
      throw new GitHubError('INVALID_INPUT', `lock name "${name}" may use letters, digits, . _ - only`);
    const ref = `refs/relkit-locks/${name}`;
    const now = options.now ?? new Date();
    const info = {
      holder: options.holder,
      acquiredAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + options.ttlMs).toISOString(),
    };
    const sha = await this.lockCommit(repo, info, options.branch);
    // The 201 of an atomic create is the proof of the lock: no read-back on this path.
    const first = await this.createRef(repo, ref, sha, { readBack: false });
    if (first.created) return { acquired: true, lock: { name, ref, sha, ...info }, tookOverExpired: false };
    const held = await this.readLock(repo, name);
    if (!held) {
      // Released between our create and our read: race again, a bounded number of times.
      if (attempt >= 3) throw new GitHubError('CONFLICT', `lock ${name} keeps changing hands; retry later`);
      return this.takeLock(repo, name, options, attempt + 1);
    }
    if (Date.parse(held.expiresAt) > now.getTime()) return { acquired: false, heldBy: held };
    // Expired: delete exactly the expired lock, then race for a fresh create like anyone else.
    await this.deleteRef(repo, ref, { expectedSha: held.sha }).catch((e: unknown) => {
      if (!(e instanceof GitHubError && e.code === 'CONFLICT')) throw e;
    });
    const second = await this.createRef(repo, ref, sha, { readBack: false });
    if (second.created) return { acquired: true, lock: { name, ref, sha, ...info }, tookOverExpired: true };
    const winner = await this.readLock(repo, name);
    if (!winner) throw new GitHubError('CONFLICT', `lock ${name} changed hands while taking it over; retry`);
    return { acquired: false, heldBy: winner };
  }

  /** Who holds a lock, or undefined when it is free. */
  async readLock(repo: RepositoryName, name: string): Promise<LockInfo | undefined> {
    const ref = `refs/relkit-locks/${name}`;
    const sha = await this.getRef(repo, ref);
    if (!sha) return undefined;
    const { data } = await this.call(`reading lock ${name}`, () =>
      this.octokit.rest.git.getCommit({ ...repo, commit_sha: sha }),
    );
    const json = data.message.startsWith(LOCK_MESSAGE) ? data.message.slice(LOCK_MESSAGE.length).trim() : '';
    try {
      const parsed = JSON.parse(json) as { holder?: unknown; acquiredAt?: unknown; expiresAt?: unknown };
      if (
        typeof parsed.holder === 'string' &&
        typeof parsed.expiresAt === 'string' &&
        typeof parsed.acquiredAt === 'string'
      )
        return {
          name,
          ref,
          sha,
          holder: parsed.holder,
          acquiredAt: parsed.acquiredAt,
          expiresAt: parsed.expiresAt,
        };
    } catch {
      // fall through: a ref that relkit did not write
    }
    // Not a relkit lock commit: treat as held forever by someone unknown (fail closed).
    return {
      name,
      ref,
      sha,
      holder: 'unknown (not a relkit lock commit)',
      acquiredAt: data.committer.date ?? '',
      expiresAt: '9999-12-31T00:00:00.000Z',
    };
  }

  /** Releases a lock this holder took; a lock someone else holds now is left alone. */
  async releaseLock(repo: RepositoryName, lock: LockInfo): Promise<{ released: boolean }> {
    try {
      return { released: (await this.deleteRef(repo, lock.ref, { expectedSha: lock.sha })).deleted };
    } catch (e) {
      if (e instanceof GitHubError && e.code === 'CONFLICT') return { released: false };
      throw e;
    }
  }

  private async lockCommit(
    repo: RepositoryName,
    info: { holder: string; acquiredAt: string; expiresAt: string },
    knownBranch?: string,
  ): Promise<string> {
    const branch =
      knownBranch ??
      (await this.call('reading the repository', () => this.octokit.rest.repos.get({ ...repo }))).data
        .default_branch;
    const head = await this.getRef(repo, `heads/${branch}`);
    if (!head)
      throw new GitHubError('NOT_FOUND', `the branch ${branch} of ${repo.owner}/${repo.repo} has no commit`);
    const { data: tip } = await this.call('reading the default branch tip', () =>
      this.octokit.rest.git.getCommit({ ...repo, commit_sha: head }),
    );
    // An orphan commit reusing an existing tree: nothing new is stored but the message.
    const { data } = await this.call('writing the lock commit', () =>
      this.octokit.rest.git.createCommit({
        ...repo,
        message: `${LOCK_MESSAGE}\n\n${JSON.stringify(info)}`,
        tree: tip.tree.sha,
        parents: [],
      }),
    );
    return data.sha;
  }

  private async waitForRef(repo: RepositoryName, ref: string, sha: string): Promise<void> {
    // Read-after-write lag on refs is real (#617): poll until the ref shows what was written.
    for (let i = 0; i < this.readBackAttempts; i++) {
      if ((await this.getRef(repo, ref)) === sha) return;
      await sleep(this.pollMs);
    }
    throw new GitHubError(
      'VERIFICATION_FAILED',
      `${ref} does not read back at ${sha.slice(0, 12)} after the write`,
      {
        advice: 'GitHub may be lagging; re-run (the step is idempotent)',
      },
    );
  }

  // ------------------------------------------------------------------------------------------
  // File commits through the API
  // ------------------------------------------------------------------------------------------

  /**
   * Commits one file's new content to a branch through the contents API (works on protected
   * branches for apps with bypass), then reads back from the commit it returned that the
   * content landed. A "successful" API commit that changed nothing fails loudly (#455).
   */
  async commitFile(repo: RepositoryName, input: FileCommitInput): Promise<FileCommitResult> {
    const name = `${repo.owner}/${repo.repo}`;
    const current = await this.readFile(repo, input.path, input.branch);
    if (current && current.content === input.content) {
      const head = await this.getRef(repo, `heads/${input.branch}`);
      return { outcome: 'unchanged', commitSha: head ?? '', blobSha: current.sha };
    }
    const { data } = await this.call(
      `committing ${input.path} to ${input.branch} of ${name}`,
      () =>
        this.octokit.rest.repos.createOrUpdateFileContents({
          ...repo,
          path: input.path,
          branch: input.branch,
          message: input.message,
          content: Buffer.from(input.content, 'utf8').toString('base64'),
          ...(current ? { sha: current.sha } : {}),
        }),
      {
        409: `${input.path} changed on ${input.branch} while committing: re-run`,
        404: `branch ${input.branch} does not exist in ${name}`,
      },
    );
    const commitSha = data.commit.sha;
    if (!commitSha)
      throw new GitHubError(
        'UNEXPECTED_RESPONSE',
        `GitHub returned no commit SHA for the write to ${input.path}`,
      );
    // 1. The branch must move to the returned commit (poll: ref reads lag behind writes, #617).
    let tip: string | undefined;
    for (let i = 0; i < this.readBackAttempts; i++) {
      tip = await this.getRef(repo, `heads/${input.branch}`);
      if (tip === commitSha) break;
      await sleep(this.pollMs);
    }
    if (tip !== commitSha)
      throw new GitHubError(
        'VERIFICATION_FAILED',
        `${input.branch} of ${name} is at ${tip?.slice(0, 12) ?? 'nothing'}, not at the commit ${commitSha.slice(0, 12)} GitHub returned`,
        {
          advice: 'someone pushed in between or GitHub lags: re-run to converge',
        },
      );
    // 2. The file at that exact commit must hold the content (the #455 silent no-op).
    const landed = await this.readFile(repo, input.path, commitSha);
    if (landed?.content !== input.content)
      throw new GitHubError(
        'VERIFICATION_FAILED',
        `the commit ${commitSha.slice(0, 12)} on ${input.branch} does not contain the new ${input.path}: the API write was a silent no-op`,
        { advice: `do not build or tag from ${input.branch}; inspect the commit, then re-run` },
      );
    return { outcome: 'committed', commitSha, blobSha: landed.sha };
  }

  /** A file's text at a ref (branch, tag or SHA); undefined if absent. */
  async readFile(
    repo: RepositoryName,
    path: string,
    ref: string,
  ): Promise<{ content: string; sha: string } | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getContent({ ...repo, path, ref });
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data))
        throw new GitHubError('UNEXPECTED_RESPONSE', `${path} at ${ref} is not a file`);
      return { content: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw this.fail(e, `reading ${path} at ${ref}`);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Dispatch and the run it started
  // ------------------------------------------------------------------------------------------

  /**
   * Sends a repository_dispatch carrying the correlation id in client_payload, and records what
   * is needed to find the run it starts and nothing older: GitHub's clock at dispatch time and
   * the newest existing repository_dispatch run (#1477).
   */
  async dispatch(repo: RepositoryName, input: DispatchInput): Promise<DispatchReceipt> {
    const payload = { ...(input.payload ?? {}), correlation_id: input.correlationId };
    if (Object.keys(payload).length > 10)
      throw new GitHubError(
        'INVALID_INPUT',
        `client_payload has ${Object.keys(payload).length} fields; GitHub accepts at most 10 (correlation_id included)`,
      );
    if (!input.eventType || input.eventType.length > 100)
      throw new GitHubError('INVALID_INPUT', 'eventType must be 1–100 characters');
    const name = `${repo.owner}/${repo.repo}`;
    const baseline = await this.listDispatchRuns(repo, 1);
    const baselineRunId = baseline.reduce((m, r) => Math.max(m, r.id), 0);
    const res = await this.call(`dispatching ${input.eventType} to ${name}`, () =>
      this.octokit.rest.repos.createDispatchEvent({
        ...repo,
        event_type: input.eventType,
        client_payload: payload,
      }),
    );
    const date = res.headers.date ? new Date(res.headers.date) : new Date();
    return {
      repository: repo,
      eventType: input.eventType,
      correlationId: input.correlationId,
      dispatchedAt: date.toISOString(),
      baselineRunId,
    };
  }

  /**
   * Finds the workflow run a dispatch started: a repository_dispatch run newer than the baseline
   * and created after the dispatch (minus 60 s of clock skew). A run whose title carries the
   * correlation id wins (set `run-name: ${{ github.event.client_payload.correlation_id }}`);
   * otherwise exactly one new run must exist. Never "the newest run" (#1477).
   */
  async findDispatchedRun(
    receipt: DispatchReceipt,
    options: { workflowPath?: string; timeoutMs?: number; requireCorrelationId?: boolean } = {},
  ): Promise<WorkflowRunInfo> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const since = Date.parse(receipt.dispatchedAt) - DISPATCH_BACKDATE_MS;
    let candidates: Awaited<ReturnType<GitHubForge['listDispatchRuns']>>;
    for (;;) {
      const runs = await this.listDispatchRuns(receipt.repository, 100);
      candidates = runs.filter(
        (r) =>
          r.id > receipt.baselineRunId &&
          Date.parse(r.created_at) >= since &&
          (!options.workflowPath ||
            r.path === options.workflowPath ||
            r.path.startsWith(`${options.workflowPath}@`)),
      );
      const tagged = candidates.find((r) =>
        `${r.display_title}\n${r.name ?? ''}`.includes(receipt.correlationId),
      );
      if (tagged) return toRun(tagged, 'correlation-id');
      if (candidates.length === 1 && !options.requireCorrelationId) return toRun(candidates[0]!, 'baseline');
      if (Date.now() >= deadline) break;
      await sleep(this.pollMs);
    }
    const name = `${receipt.repository.owner}/${receipt.repository.repo}`;
    if (candidates.length > 1)
      throw new GitHubError(
        'AMBIGUOUS',
        `${candidates.length} runs started in ${name} after the dispatch and none carries correlation id ${receipt.correlationId}`,
        {
          advice:
            'give the receiving workflow `run-name: ${{ github.event.client_payload.correlation_id }}` so relkit can bind to its run',
        },
      );
    throw new GitHubError(
      'TIMEOUT',
      `no workflow run in ${name} picked up the ${receipt.eventType} dispatch (correlation id ${receipt.correlationId})`,
      {
        advice:
          'check that the workflow listens to repository_dispatch with this type and exists on the default branch',
      },
    );
  }

  private async listDispatchRuns(repo: RepositoryName, perPage: number) {
    const { data } = await this.call(`listing workflow runs of ${repo.owner}/${repo.repo}`, () =>
      this.octokit.rest.actions.listWorkflowRunsForRepo({
        ...repo,
        event: 'repository_dispatch',
        per_page: perPage,
      }),
    );
    return data.workflow_runs;
  }
}

function toRun(
  r: {
    id: number;
    html_url: string;
    path: string;
    display_title: string;
    status: string | null;
    conclusion: string | null;
    created_at: string;
  },
  boundBy: WorkflowRunInfo['boundBy'],
): WorkflowRunInfo {
  return {
    id: r.id,
    url: r.html_url,
    workflowPath: r.path,
    displayTitle: r.display_title,
    status: r.status,
    conclusion: r.conclusion,
    createdAt: r.created_at,
    boundBy,
  };
}

function toPullInfo(p: {
  number: number;
  html_url: string;
  title: string;
  state: string;
  draft?: boolean;
  merged_at: string | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  merge_commit_sha?: string | null;
}): PullRequestInfo {
  return {
    number: p.number,
    url: p.html_url,
    title: p.title,
    state: p.merged_at ? 'merged' : p.state === 'open' ? 'open' : 'closed',
    draft: p.draft ?? false,
    head: { ref: p.head.ref, sha: p.head.sha },
    base: { ref: p.base.ref, sha: p.base.sha },
    mergeCommitSha: p.merge_commit_sha ?? null,
  };
}

function checkTag(tag: string): void {
  if (!TAG_RE.test(tag) || tag.includes('..') || tag.endsWith('.lock') || tag.length > 200)
    throw new GitHubError('INVALID_INPUT', `"${tag}" is not a usable tag name`, {
      advice: 'use the version tag, e.g. 1.2.3 or v1.2.3',
    });
}

function toRelease(r: {
  id: number;
  tag_name: string;
  name: string | null;
  body?: string | null;
  draft: boolean;
  prerelease: boolean;
  immutable?: boolean;
  target_commitish: string;
  html_url: string;
  created_at: string;
  published_at: string | null;
}): ReleaseInfo {
  return {
    id: r.id,
    tag: r.tag_name,
    name: r.name,
    notes: r.body ?? null,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: r.immutable,
    targetCommitish: r.target_commitish,
    url: r.html_url,
    createdAt: r.created_at,
    publishedAt: r.published_at,
  };
}

function notFoundRelease(found: ReleaseLookup): GitHubError {
  const name = `${found.repository.owner}/${found.repository.repo}`;
  const why =
    found.draftsVisible === false
      ? 'this token has no push access there, and GitHub lists draft releases only to tokens with push access'
      : 'note that a token without push access cannot see draft releases';
  return new GitHubError('NOT_FOUND', `no release for tag ${found.tag} in ${name} (${why})`, {
    advice:
      found.draftsVisible === false
        ? 'use a token with contents: write (push access), e.g. the release app token, not a read-only GITHUB_TOKEN'
        : 'run publish first (it creates the draft release), or check the tag',
  });
}

/** GitHub's answers for a tag name an immutable release used before (GH013 / "creations being restricted"). */
function burnedTag(e: unknown, tag: string, repoName: string): unknown {
  if (
    e instanceof GitHubError &&
    e.status === 422 &&
    /immutable release|creations being restricted|GH013|rule violation/i.test(e.message)
  )
    return new GitHubError(
      'TAG_BURNED',
      `tag ${tag} of ${repoName} is burned: a published release used it and was deleted, and GitHub never allows it again (${e.message})`,
      {
        status: 422,
        requestId: e.requestId,
        advice: 'this version can never be released; re-cut the content as the next patch version',
      },
    );
  return e;
}
