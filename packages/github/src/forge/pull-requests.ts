// The release pull request: find it (open, merged or closed) and close it on abandon.
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { BranchNames, PullRequestClose, PullRequestInfo } from '../types.js';
import { sleep, writeOnce, type ForgeContext } from './context.js';
import { toPullInfo } from './convert.js';

/** The open PR `release/{version}` → `main` (names configurable); undefined if none. */
export async function findReleasePullRequest(
  ctx: ForgeContext,
  repo: RepositoryName,
  version: string,
  branches: BranchNames = {},
): Promise<PullRequestInfo | undefined> {
  const head = (branches.head ?? 'release/{version}').replace('{version}', version);
  const baseRef = branches.base ?? 'main';
  const name = `${repo.owner}/${repo.repo}`;
  const list = await ctx.call(`listing pull requests ${head} → ${baseRef} of ${name}`, () =>
    ctx.octokit.paginate(ctx.octokit.rest.pulls.list, {
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
export async function findPullRequest(
  ctx: ForgeContext,
  repo: RepositoryName,
  branches: { head: string; base: string },
): Promise<PullRequestInfo | undefined> {
  const { head, base } = branches;
  const name = `${repo.owner}/${repo.repo}`;
  const list = await ctx.call(`listing pull requests ${head} → ${base} of ${name}`, () =>
    ctx.octokit.paginate(ctx.octokit.rest.pulls.list, {
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
export async function closePullRequest(
  ctx: ForgeContext,
  repo: RepositoryName,
  number: number,
  comment: string,
): Promise<PullRequestClose> {
  if (!comment.trim())
    throw new GitHubError('INVALID_INPUT', `closing #${number} needs a comment saying why`);
  const name = `${repo.owner}/${repo.repo}`;
  const readRaw = async () =>
    (
      await ctx.call(`reading pull request #${number} of ${name}`, () =>
        ctx.octokit.rest.pulls.get({ ...repo, pull_number: number }),
      )
    ).data;
  const info = (data: Awaited<ReturnType<typeof readRaw>>) =>
    toPullInfo({ ...data, merged_at: data.merged ? (data.merged_at ?? 'merged') : null });
  const read = async () => info(await readRaw());
  const raw = await readRaw();
  const before = info(raw);
  if (before.state === 'merged')
    throw new GitHubError('PRECONDITION_FAILED', `#${number} of ${name} is already merged; not closing it`, {
      advice: 'a merged release PR means the release was promoted: there is nothing to abandon',
    });
  if (before.state === 'closed') return { outcome: 'already-closed', pullRequest: before };
  // POST comments is not idempotent: after an ambiguous failure (502, dropped, cut short) the
  // comment may be there; a second POST would be a second comment. The pull request's comment
  // count, read before, tells whether it landed (the lock makes a new comment ours).
  const doing = `commenting on #${number} of ${name}`;
  await writeOnce<unknown>(
    ctx,
    doing,
    () => ctx.octokit.rest.issues.createComment({ ...repo, issue_number: number, body: comment }),
    async () => {
      for (let i = 0; i < ctx.readBackAttempts; i++) {
        if ((await readRaw()).comments > raw.comments) return 'commented';
        await sleep(ctx.pollMs);
      }
      return undefined;
    },
  ).catch((e: unknown) => {
    throw ctx.fail(e, doing);
  });
  // The close is idempotent, but failing it after the comment landed would make a re-run comment
  // again (the PR still reads open when the close was not applied): look, then re-send here.
  await writeOnce<unknown>(
    ctx,
    `closing #${number} of ${name}`,
    () => ctx.octokit.rest.pulls.update({ ...repo, pull_number: number, state: 'closed' }),
    async () => ((await read()).state === 'open' ? undefined : 'closed'),
  ).catch((e: unknown) => {
    throw ctx.fail(e, `closing #${number} of ${name}`);
  });
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
