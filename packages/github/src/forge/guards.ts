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
