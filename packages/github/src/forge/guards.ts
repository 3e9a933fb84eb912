// The refusals several verbs share: an unusable tag name, a release that is missing (or hidden
// from this token), a tag name GitHub burned for good.
import { GitHubError } from '../errors.js';
import type { ReleaseLookup } from '../types.js';

const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._+/-]*$/;

export function checkTag(tag: string): void {
  if (!TAG_RE.test(tag) || tag.includes('..') || tag.endsWith('.lock') || tag.length > 200)
    throw new GitHubError('INVALID_INPUT', `"${tag}" is not a usable tag name`, {
      advice: 'use the version tag, e.g. 1.2.3 or v1.2.3',
    });
}

export function notFoundRelease(found: ReleaseLookup): GitHubError {
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
export function burnedTag(e: unknown, tag: string, repoName: string): unknown {
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
