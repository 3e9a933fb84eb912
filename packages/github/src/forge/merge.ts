// Merging the release PR behind GitHub's sha guard, then reading the merge back.
import { statusOf } from '../client.js';
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { MergeInput, MergeResult } from '../types.js';
import { SHA_RE, type ForgeContext } from './context.js';
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
  const method = input.method ?? 'merge';
  if (!['merge', 'squash', 'rebase'].includes(method))
    throw new GitHubError(
      'INVALID_INPUT',
      `merge method must be merge, squash or rebase, not ${JSON.stringify(method)}`,
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
  const { data } = await ctx
    .call(
      `merging #${number}`,
      () =>
        ctx.octokit.rest.pulls.merge({
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
    )
    .catch((e: unknown) => {
      const status = statusOf(e);
      const err = ctx.fail(e, `merging #${number}`);
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
