// Branches and pull requests for gitflow: compare two refs, create a branch (the release branch,
// a sync branch), fast-forward a branch without force, open a pull request.
import { statusOf } from '../client.js';
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { BranchComparisonInfo, PullRequestInfo, PullRequestOpen } from '../types.js';
import { SHA_RE, sleep, writeOnce, type ForgeContext } from './context.js';
import { toPullInfo } from './convert.js';
import { findPullRequest } from './pull-requests.js';
import { classifyRefusal } from './refusals.js';
import { createRef, getRef } from './refs.js';

/** GitHub refuses a pull request body above 65,536 characters (#810); cut with a notice. */
export const PULL_REQUEST_BODY_MAX = 65_536;

/** How `head` relates to `base` (GET /compare/{base}...{head}). */
export async function compareBranches(
  ctx: ForgeContext,
  repo: RepositoryName,
  base: string,
  head: string,
): Promise<BranchComparisonInfo> {
  const { data } = await ctx.call(`comparing ${base}...${head} of ${repo.owner}/${repo.repo}`, () =>
    // One commit per page is enough: only the status and the counts are read.
    ctx.octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${base}...${head}`,
      per_page: 1,
    }),
  );
  const status = data.status;
  if (status !== 'identical' && status !== 'ahead' && status !== 'behind' && status !== 'diverged')
    throw new GitHubError(
      'UNEXPECTED_RESPONSE',
      `compare ${base}...${head} answered status ${String(status)}`,
    );
  return { status, aheadBy: data.ahead_by, behindBy: data.behind_by, mergeBase: data.merge_base_commit.sha };
}

/**
 * Creates `refs/heads/<branch>` at a commit and reads it back; the branch already there at that
 * commit is success (a re-run), anywhere else a CONFLICT (never moved).
 */
export async function createBranch(
  ctx: ForgeContext,
  repo: RepositoryName,
  branch: string,
  sha: string,
): Promise<{ created: boolean }> {
  const r = await createRef(ctx, repo, `refs/heads/${branch}`, sha);
  if (r.sha !== sha)
    throw new GitHubError(
      'CONFLICT',
      `${branch} of ${repo.owner}/${repo.repo} already exists at ${r.sha.slice(0, 12)}, not at ${sha.slice(0, 12)}; not moved`,
      { advice: `delete ${branch} if it is stale, then re-run` },
    );
  return { created: r.created };
}

/**
 * Moves `branch` from `fromSha` to `toSha` with a non-forced ref update: GitHub refuses anything
 * but a fast-forward, and the branch is checked to be at `fromSha` first, so work pushed in
 * between is never lost. Already at `toSha` is success. Reads the branch back.
 */
export async function fastForwardBranch(
  ctx: ForgeContext,
  repo: RepositoryName,
  branch: string,
  fromSha: string,
  toSha: string,
): Promise<{ moved: boolean }> {
  if (!SHA_RE.test(toSha))
    throw new GitHubError('INVALID_INPUT', `not a commit SHA: ${JSON.stringify(toSha)}`);
  const name = `${repo.owner}/${repo.repo}`;
  const now = await getRef(ctx, repo, `heads/${branch}`);
  if (now === toSha) return { moved: false };
  if (now !== fromSha)
    throw new GitHubError(
      'CONFLICT',
      `${branch} of ${name} moved from ${fromSha.slice(0, 12)} to ${now?.slice(0, 12) ?? 'nothing'}; not fast-forwarded`,
    );
  const doing = `fast-forwarding ${branch} of ${name} to ${toSha.slice(0, 12)}`;
  try {
    await writeOnce(
      ctx,
      doing,
      async () => {
        await ctx.octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha: toSha, force: false });
        return true;
      },
      async () => ((await getRef(ctx, repo, `heads/${branch}`)) === toSha ? true : undefined),
    );
  } catch (e) {
    if ((await getRef(ctx, repo, `heads/${branch}`)) === toSha) return { moved: true };
    throw classifyRefusal(ctx.fail(e, doing), repo, { branch });
  }
  for (let i = 0; i < ctx.readBackAttempts; i++) {
    if ((await getRef(ctx, repo, `heads/${branch}`)) === toSha) return { moved: true };
    await sleep(ctx.pollMs);
  }
  throw new GitHubError(
    'VERIFICATION_FAILED',
    `${branch} of ${name} does not read back at ${toSha.slice(0, 12)}`,
    {
      advice: 'GitHub may be lagging; re-run (the step is idempotent)',
    },
  );
}

/**
 * Opens a pull request `head` → `base` (optionally a draft). The same PR already open is returned
 * (a re-run, or a create whose answer was lost); the body is cut to GitHub's limit.
 */
export async function openPullRequest(
  ctx: ForgeContext,
  repo: RepositoryName,
  input: PullRequestOpen,
): Promise<PullRequestInfo> {
  const name = `${repo.owner}/${repo.repo}`;
  const doing = `opening a pull request ${input.head} → ${input.base} in ${name}`;
  const existing = await findPullRequest(ctx, repo, { head: input.head, base: input.base });
  if (existing?.state === 'open') return existing;
  const notice = "\n\n*(cut to fit GitHub's limit; the full text is in the CHANGELOG)*";
  const body =
    input.body.length > PULL_REQUEST_BODY_MAX
      ? input.body.slice(0, PULL_REQUEST_BODY_MAX - notice.length) + notice
      : input.body;
  try {
    return await writeOnce(
      ctx,
      doing,
      async () =>
        toPullInfo(
          (
            await ctx.octokit.rest.pulls.create({
              ...repo,
              head: input.head,
              base: input.base,
              title: input.title,
              body,
              draft: input.draft,
            })
          ).data,
        ),
      // Applied, then the answer was lost: the open PR is the one this call made.
      async () => {
        const p = await findPullRequest(ctx, repo, { head: input.head, base: input.base });
        return p?.state === 'open' ? p : undefined;
      },
    );
  } catch (e) {
    // 422 "A pull request already exists": someone (or a lost answer) opened it: that is ours.
    if (statusOf(e) === 422) {
      const p = await findPullRequest(ctx, repo, { head: input.head, base: input.base });
      if (p?.state === 'open') return p;
    }
    throw ctx.fail(e, doing, {
      422: `GitHub refused the pull request ${input.head} → ${input.base} (both branches must exist and differ)`,
    });
  }
}
