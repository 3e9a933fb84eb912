// Read-only probes of what a token may do, for `release-cli doctor`: never a write, so what a
// write needs is inferred from what GitHub says about the token (permissions, scopes, drafts).
import type { RepositoryName } from '../repository.js';
import type { RepositoryAccess } from '../types.js';
import type { ForgeContext } from './context.js';

/**
 * GET /repos/{owner}/{repo}: the token's `permissions` there and, for a classic token, its
 * `X-OAuth-Scopes`. `push` is the truth for a person's token; for an App installation token
 * (GITHUB_TOKEN included) GitHub says `push: false` even with write access
 * (semantic-release/github#182), so that false is reported as undefined: not provable.
 */
export async function repositoryAccess(ctx: ForgeContext, repo: RepositoryName): Promise<RepositoryAccess> {
  const { data, headers } = await ctx.call(`reading ${repo.owner}/${repo.repo}`, () =>
    ctx.octokit.rest.repos.get({ ...repo }),
  );
  const p = data.permissions;
  const raw = headers['x-oauth-scopes'];
  const scopes =
    typeof raw === 'string'
      ? raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  return {
    push: p?.push === false && ctx.tokenKind === 'app' ? undefined : p?.push,
    permissions: p
      ? {
          admin: p.admin,
          ...(p.maintain !== undefined ? { maintain: p.maintain } : {}),
          push: p.push,
          pull: p.pull,
        }
      : undefined,
    ...(scopes ? { scopes } : {}),
    tokenKind: ctx.tokenKind,
  };
}

/**
 * The first page of releases: readable, and whether a draft is among them (only a token with push
 * access sees drafts, #517, so a visible draft proves it even for an App token).
 */
export async function releasesVisible(ctx: ForgeContext, repo: RepositoryName): Promise<{ drafts: boolean }> {
  const { data } = await ctx.call(`listing releases of ${repo.owner}/${repo.repo}`, () =>
    ctx.octokit.rest.repos.listReleases({ ...repo, per_page: 100 }),
  );
  return { drafts: data.some((r) => r.draft) };
}

/** One pull request of any state: the token may read pull requests. */
export async function pullRequestsReadable(ctx: ForgeContext, repo: RepositoryName): Promise<void> {
  await ctx.call(`listing pull requests of ${repo.owner}/${repo.repo}`, () =>
    ctx.octokit.rest.pulls.list({ ...repo, state: 'all', per_page: 1 }),
  );
}
