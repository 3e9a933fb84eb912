// Git refs: read, create (read back through GitHub's lag), delete, list tags.
import { statusOf } from '../client.js';
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { RefCreateResult } from '../types.js';
import { fullRef, SHA_RE, sleep, writeOnce, type ForgeContext } from './context.js';
import { classifyRefusal } from './refusals.js';

/** The SHA a ref points at (`tags/1.2.3`, `heads/main` or `refs/...`); undefined if it does not exist. */
export async function getRef(
  ctx: ForgeContext,
  repo: RepositoryName,
  ref: string,
): Promise<string | undefined> {
  const short = fullRef(ref).slice('refs/'.length);
  try {
    const { data } = await ctx.octokit.rest.git.getRef({ ...repo, ref: short });
    return data.object.sha;
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw ctx.fail(e, `reading ref ${short}`);
  }
}

/** Creates a ref; if it exists, reports where it points instead (the refs API answers 422). */
export async function createRef(
  ctx: ForgeContext,
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
  // After an ambiguous failure the ref may be there already, at our SHA: that is our create.
  let ambiguous = false;
  try {
    const created = await writeOnce(
      ctx,
      `creating ${full}`,
      async () => {
        await ctx.octokit.rest.git.createRef({ ...repo, ref: full, sha });
        return true;
      },
      async () => {
        ambiguous = true;
        return (await getRef(ctx, repo, full)) === sha ? true : undefined;
      },
    );
    if (created && ambiguous) return { created: true, ref: full, sha };
  } catch (e) {
    if (statusOf(e) === 422) {
      const existing = await getRef(ctx, repo, full);
      // 422 "already exists" at our own SHA after an ambiguous try: the first try took effect.
      if (existing) return { created: ambiguous && existing === sha, ref: full, sha: existing };
    }
    const err = ctx.fail(e, `creating ${full}`);
    const immutableReleases = full.startsWith('refs/tags/') ? await publishesImmutable(ctx, repo) : false;
    throw classifyRefusal(err, repo, { ref: full, immutableReleases });
  }
  if (options.readBack !== false) await waitForRef(ctx, repo, full, sha);
  return { created: true, ref: full, sha };
}

/** Deletes a ref; with `expectedSha`, only while it still points there. Absent counts as done. */
export async function deleteRef(
  ctx: ForgeContext,
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
  const current = await getRef(ctx, repo, full);
  if (!current) return { deleted: false };
  if (options.expectedSha && current !== options.expectedSha)
    throw new GitHubError(
      'CONFLICT',
      `${full} points at ${current.slice(0, 12)}, not ${options.expectedSha.slice(0, 12)}; not deleted`,
    );
  try {
    // DELETE is idempotent, but after an ambiguous failure the ref is already gone: look first.
    await writeOnce<unknown>(
      ctx,
      `deleting ${full}`,
      () => ctx.octokit.rest.git.deleteRef({ ...repo, ref: full.slice('refs/'.length) }),
      async () => ((await getRef(ctx, repo, full)) ? undefined : 'gone'),
    );
  } catch (e) {
    if (statusOf(e) === 422 && !(await getRef(ctx, repo, full))) return { deleted: false };
    throw ctx.fail(e, `deleting ${full}`);
  }
  return { deleted: true };
}

/** Names of the tags starting with `prefix` (all pages; `''` lists every tag). */
export async function listTags(ctx: ForgeContext, repo: RepositoryName, prefix: string): Promise<string[]> {
  const refs = await ctx.call(`listing tags ${prefix}* of ${repo.owner}/${repo.repo}`, () =>
    ctx.octokit.paginate(ctx.octokit.rest.git.listMatchingRefs, { ...repo, ref: `tags/${prefix}` }),
  );
  return refs.map((r) => r.ref.slice('refs/tags/'.length)).filter((t) => t.startsWith(prefix));
}
async function waitForRef(ctx: ForgeContext, repo: RepositoryName, ref: string, sha: string): Promise<void> {
  // Read-after-write lag on refs is real (#617): poll until the ref shows what was written.
  for (let i = 0; i < ctx.readBackAttempts; i++) {
    if ((await getRef(ctx, repo, ref)) === sha) return;
    await sleep(ctx.pollMs);
  }
  throw new GitHubError(
    'VERIFICATION_FAILED',
    `${ref} does not read back at ${sha.slice(0, 12)} after the write`,
    {
      advice: 'GitHub may be lagging; re-run (the step is idempotent)',
    },
  );
}

/**
 * Whether the repository may have burned tags: GitHub answers a burned tag and a tag-creation
 * ruleset with the same GH013 text, so only a published release that is not immutable proves
 * immutable releases are off (then the refusal is the ruleset's). Unknown reads as on.
 */
async function publishesImmutable(ctx: ForgeContext, repo: RepositoryName): Promise<boolean> {
  try {
    const { data } = await ctx.octokit.rest.repos.listReleases({ ...repo, per_page: 30 });
    const published = data.filter((r) => !r.draft);
    return (
      published.length === 0 || published.some((r) => (r as { immutable?: boolean }).immutable !== false)
    );
  } catch {
    return true;
  }
}
