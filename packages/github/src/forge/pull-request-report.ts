// What the PR gate reads: mergeability (re-queried while GitHub computes it), approval, checks.
import { summarizeChecks, type RawCheck } from '../checks.js';
import { classifyMergeability, evaluateApproval } from '../pull-requests.js';
import type { RepositoryName } from '../repository.js';
import type {
  CheckSummary,
  Mergeability,
  PullRequestInfo,
  PullRequestReport,
  ReviewDecision,
} from '../types.js';
import { sleep, type ForgeContext } from './context.js';
import { toPullInfo } from './convert.js';

/**
 * Everything the PR gate needs: draft, approval (reviewDecision with the reviews-list
 * fallback), checks (latest run per name), mergeability (re-queried while GitHub computes it).
 */
export async function observePullRequest(
  ctx: ForgeContext,
  repo: RepositoryName,
  number: number,
  /**
   * The head sha the caller last saw (the search's answer, the gates' observation): approval and
   * checks of that sha are read alongside the pull itself, one round trip instead of two. When
   * the pull says the head moved, they are read again for the real head.
   */
  hint: { readonly headSha?: string } = {},
): Promise<PullRequestReport> {
  const guess = hint.headSha;
  const early = guess
    ? Promise.all([readApproval(ctx, repo, number, guess), readChecks(ctx, repo, guess)])
    : undefined;
  // Read for a head that turned out stale: its failure does not matter either.
  early?.catch(() => undefined);
  const { pr, mergeability } = await readMergeability(ctx, repo, number);
  const [approval, checks] =
    early && pr.head.sha === guess
      ? await early
      : await Promise.all([readApproval(ctx, repo, number, pr.head.sha), readChecks(ctx, repo, pr.head.sha)]);
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

async function readMergeability(
  ctx: ForgeContext,
  repo: RepositoryName,
  number: number,
): Promise<{ pr: PullRequestInfo; mergeability: Mergeability }> {
  for (let attempt = 1; ; attempt++) {
    const { data } = await ctx.call(`reading pull request #${number}`, () =>
      ctx.octokit.rest.pulls.get({ ...repo, pull_number: number }),
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
    if (mergeability.state !== 'unknown' || attempt >= ctx.mergeabilityAttempts) return { pr, mergeability };
    await sleep(ctx.pollMs);
  }
}

async function readApproval(ctx: ForgeContext, repo: RepositoryName, number: number, headSha: string) {
  const [decision, reviews] = await Promise.all([
    reviewDecision(ctx, repo, number),
    ctx.call(`listing reviews of #${number}`, () =>
      ctx.octokit.paginate(ctx.octokit.rest.pulls.listReviews, {
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
      association: r.author_association,
      commitId: r.commit_id ?? null,
    })),
    headSha,
  );
}

async function reviewDecision(
  ctx: ForgeContext,
  repo: RepositoryName,
  number: number,
): Promise<ReviewDecision | null> {
  const query = `query($owner: String!, $repo: String!, $number: Int!) {
    repository(owner: $owner, name: $repo) { pullRequest(number: $number) { reviewDecision } }
  }`;
  const data = await ctx.call(`reading the review decision of #${number}`, () =>
    ctx.octokit.graphql<{
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
export async function readChecks(
  ctx: ForgeContext,
  repo: RepositoryName,
  sha: string,
): Promise<CheckSummary> {
  const [runs, statuses] = await Promise.all([
    ctx.call(`listing check runs of ${sha.slice(0, 12)}`, () =>
      ctx.octokit.paginate(ctx.octokit.rest.checks.listForRef, {
        ...repo,
        ref: sha,
        filter: 'all',
        per_page: 100,
      }),
    ),
    ctx.call(`listing commit statuses of ${sha.slice(0, 12)}`, () =>
      ctx.octokit.paginate(ctx.octokit.rest.repos.listCommitStatusesForRef, {
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
      identity: checkIdentity(r),
    })),
    ...statuses.map((s) => ({
      source: 'status' as const,
      id: s.id,
      name: s.context,
      status: s.state,
      conclusion: null,
      startedAt: s.created_at,
      url: s.target_url ?? null,
      identity: `status\n${s.context}`,
    })),
  ];
  return summarizeChecks(raw);
}

// GitHub Actions' app: its runs are told apart by workflow run (a check suite per workflow run;
// a re-run keeps it), so a green `build` of one workflow never hides a red `build` of another.
const ACTIONS_APP_SLUG = 'github-actions';

/** A check run's identity: app + name, plus the workflow run (check suite) for Actions runs. */
function checkIdentity(r: {
  name: string;
  app?: { id: number; slug?: string } | null;
  check_suite?: { id: number } | null;
}): string {
  const app = r.app ? String(r.app.id) : 'no-app';
  const suite = r.app?.slug === ACTIONS_APP_SLUG ? String(r.check_suite?.id ?? '') : '';
  return `check\n${app}\n${suite}\n${r.name}`;
}
