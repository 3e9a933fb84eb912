// Version tags: create the lightweight tag, delete one that has no release (abandon).
import { statusOf } from '../client.js';
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { TagDeletion, TagResult } from '../types.js';
import type { ForgeContext } from './context.js';
import { checkTag } from './guards.js';
import { createRef, getRef } from './refs.js';
import { findRelease } from './releases.js';

/**
 * Deletes a tag that has no release, draft or published (the abandon path: a version tag made
 * by publish whose release never existed or was a deleted draft). It looks for a release right
 * before deleting and refuses if there is one, or if the token cannot see drafts; a tag with a
 * published release is never touched (forward-fix policy, #1301). Absent counts as done.
 */
export async function deleteTagWithoutRelease(
  ctx: ForgeContext,
  repo: RepositoryName,
  tag: string,
): Promise<TagDeletion> {
  checkTag(tag);
  const name = `${repo.owner}/${repo.repo}`;
  const found = await findRelease(ctx, repo, tag);
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
  const sha = await getRef(ctx, repo, full);
  if (!sha) return { outcome: 'absent', tag, sha: undefined };
  try {
    await ctx.octokit.rest.git.deleteRef({ ...repo, ref: `tags/${tag}` });
  } catch (e) {
    if (statusOf(e) === 422 && !(await getRef(ctx, repo, full))) return { outcome: 'absent', tag, sha };
    throw ctx.fail(e, `deleting tag ${tag} of ${name}`);
  }
  return { outcome: 'deleted', tag, sha };
}

/**
 * Creates the lightweight version tag at a SHA (lightweight: an annotated tag made by a bot is
 * forever "unsigned", #1370). A race lost to the same SHA is success; another SHA is an error.
 */
export async function createTag(
  ctx: ForgeContext,
  repo: RepositoryName,
  tag: string,
  sha: string,
): Promise<TagResult> {
  checkTag(tag);
  const r = await createRef(ctx, repo, `refs/tags/${tag}`, sha);
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
