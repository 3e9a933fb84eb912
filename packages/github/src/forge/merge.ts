// Merging the release PR behind GitHub's sha guard, then reading the merge back.
import { statusOf } from '../client.js';
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { MergeInput, MergeMethod, MergeResult } from '../types.js';
import { SHA_RE, writeOnce, type ForgeContext } from './context.js';
import { toPullInfo } from './convert.js';
import { observePullRequest } from './pull-request-report.js';

/**
 * Merges the release PR, after re-checking everything right before (#1132/#1487: the state
 * may have changed since the gates ran) and with GitHub's `sha` guard, so a PR that moved is
 * not merged. Already merged counts as done.
 */
export async function mergePullRequest(
  ctx: ForgeContext,
  repo: RepositoryName,
  number: number,
  input: MergeInput,
): Promise<MergeResult> {
  if (!SHA_RE.test(input.expectedHeadSha))
    throw new GitHubError(
      'INVALID_INPUT',
      `expectedHeadSha must be a full 40-character commit SHA, not ${JSON.stringify(input.expectedHeadSha)}`,
    );
  if (input.method !== undefined && !['merge', 'squash', 'rebase'].includes(input.method))
    throw new GitHubError(
      'INVALID_INPUT',
      `merge method must be merge, squash or rebase, not ${JSON.stringify(input.method)}`,
    );
  // The release engine re-checks the PR with its own gates right before calling this; then the
  // sha guard below (GitHub answers 409 when the head moved) is the only check left to make.
  if (!input.checkedByCaller) {
    const report = await observePullRequest(ctx, repo, number);
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
  // Asked for a method: send it (a refusal reads the allowed ones); else pick an allowed one.
  const method = input.method ?? (await mergeMethod(ctx, repo, undefined)).method;
  // PUT merge after an ambiguous failure: if GitHub merged it, the PR reads back merged.
  const data = await writeOnce(
    ctx,
    `merging #${number}`,
    async () =>
      (
        await ctx.octokit.rest.pulls.merge({
          ...repo,
          pull_number: number,
          sha: input.expectedHeadSha,
          merge_method: method,
          ...(input.commitTitle ? { commit_title: input.commitTitle } : {}),
        })
      ).data,
    async () => {
      const { data: pr } = await ctx.call(`reading #${number}`, () =>
        ctx.octokit.rest.pulls.get({ ...repo, pull_number: number }),
      );
      return pr.merged && pr.merge_commit_sha && pr.head.sha === input.expectedHeadSha
        ? { sha: pr.merge_commit_sha, merged: true, message: 'merged' }
        : undefined;
    },
  ).catch(async (e: unknown) => {
    const status = statusOf(e);
    const err = ctx.fail(e, `merging #${number}`);
    // 405 "Merge commits are not allowed on this repository": say which methods are.
    if (status === 405 && /not allowed/i.test(err.message)) await mergeMethod(ctx, repo, method);
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
        // GitHub answers 405 for a method the repository does not allow, and for protection.
        advice: 'GitHub refused the merge: check branch protection, approvals and mergeability',
      });
    throw err;
  });
  // Read back: the PR must now be merged at the commit GitHub returned.
  const after = await ctx.call(`reading back #${number}`, () =>
    ctx.octokit.rest.pulls.get({ ...repo, pull_number: number }),
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

const PREFERENCE = ['merge', 'squash', 'rebase'] as const;

/**
 * The merge method: the one asked for, if the repository allows it; else the first the
 * repository allows of merge, squash, rebase (GitHub answers 405 "Merge commits are not allowed
 * on this repository" for one it does not). A token that is not told the settings gets what was
 * asked, or merge.
 */
async function mergeMethod(
  ctx: ForgeContext,
  repo: RepositoryName,
  asked: MergeMethod | undefined,
): Promise<{ method: MergeMethod; allowed: MergeMethod[] }> {
  const { data } = await ctx.call(`reading ${repo.owner}/${repo.repo}`, () =>
    ctx.octokit.rest.repos.get({ ...repo }),
  );
  const flags: Record<MergeMethod, boolean | undefined> = {
    merge: data.allow_merge_commit,
    squash: data.allow_squash_merge,
    rebase: data.allow_rebase_merge,
  };
  const told = PREFERENCE.some((m) => flags[m] !== undefined);
  const allowed = PREFERENCE.filter((m) => flags[m] !== false);
  if (!told) return { method: asked ?? 'merge', allowed: [...PREFERENCE] };
  if (asked && !allowed.includes(asked))
    throw new GitHubError(
      'NOT_MERGEABLE',
      `${repo.owner}/${repo.repo} does not allow ${asked} merges; it allows ${allowed.join(', ') || 'none'}`,
      {
        advice: `set merge.method in the relkit config to one of: ${allowed.join(', ')} (or leave it unset to let relkit choose); nothing was merged`,
      },
    );
  const method = asked ?? allowed[0];
  if (!method)
    throw new GitHubError('NOT_MERGEABLE', `${repo.owner}/${repo.repo} allows no merge method`, {
      advice: 'enable a merge method in the repository settings (General → Pull Requests)',
    });
  return { method, allowed };
}
