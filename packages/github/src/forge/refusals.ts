// GitHub's refusals of a write that look alike and mean different things: a ruleset requiring
// signed commits, a ruleset restricting tag (or ref) creation, a tag an immutable release burned,
// a ref update that is not a fast-forward. Each gets its own code and advice that works
// (docs/github-behaviours.md lists the answers and their sources).
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';

const RULES = /repository rule violations|GH013/i;
const SIGNED = /verified signatures|signed commits|commits must be signed/i;
const CREATION = /creations being restricted|cannot create ref/i;
const IMMUTABLE = /immutable release/i;
const NOT_FF = /not a fast.?forward/i;

/**
 * The refusal `e` (already a GitHubError) in release terms. `ref`: the full ref written, if any;
 * `immutableReleases`: whether the repository publishes immutable releases (only then can a tag
 * be burned: GitHub answers a burned tag and a tag-creation ruleset with the same GH013 text).
 */
export function classifyRefusal(
  e: GitHubError,
  repo: RepositoryName,
  what: { ref?: string; branch?: string; immutableReleases?: boolean },
): GitHubError {
  if (e.code !== 'CONFLICT' && e.code !== 'VALIDATION' && e.code !== 'FORBIDDEN') return e;
  const name = `${repo.owner}/${repo.repo}`;
  const carry = { status: e.status, requestId: e.requestId, cause: e };
  const tag = what.ref?.startsWith('refs/tags/') ? what.ref.slice('refs/tags/'.length) : undefined;
  if (IMMUTABLE.test(e.message) && tag !== undefined) return burned(e, tag, name);
  if (RULES.test(e.message) && SIGNED.test(e.message))
    return new GitHubError(
      'SIGNED_COMMITS_REQUIRED',
      `a ruleset on ${what.branch ?? 'the branch'} of ${name} requires signed commits; this API commit would not be signed (${e.message})`,
      {
        ...carry,
        advice:
          'GitHub signs API commits only when a GitHub App makes them without a custom author: run relkit with the release App installation token (not a personal token), or add the App to the ruleset bypass list',
      },
    );
  if (CREATION.test(e.message) || (RULES.test(e.message) && what.ref)) {
    if (tag !== undefined && what.immutableReleases) return burned(e, tag, name);
    return new GitHubError(
      'RULESET_REFUSED',
      `a repository ruleset of ${name} refuses creating ${what.ref ?? 'this ref'} (${e.message})`,
      {
        ...carry,
        advice:
          tag !== undefined
            ? `add the release App to the bypass list of the tag ruleset covering ${tag} (Settings → Rules → Rulesets), then re-run; nothing was released`
            : `exclude ${what.ref ?? 'the ref'} from the ruleset or add the release App to its bypass list, then re-run`,
      },
    );
  }
  if (NOT_FF.test(e.message))
    return new GitHubError(
      'NOT_FAST_FORWARD',
      `${what.ref ?? what.branch ?? 'the ref'} of ${name} moved: ${e.message}`,
      {
        ...carry,
        advice: 're-run: relkit recomputes the change from the branch as it is now',
      },
    );
  return e;
}

function burned(e: GitHubError, tag: string, name: string): GitHubError {
  return new GitHubError(
    'TAG_BURNED',
    `tag ${tag} of ${name} is burned: a published immutable release used it and was deleted, and GitHub never allows it again (${e.message})`,
    {
      status: e.status,
      requestId: e.requestId,
      cause: e,
      advice:
        'this version can never be released; re-cut the content as the next patch version (if instead a tag ruleset covers it, add the release App to its bypass list)',
    },
  );
}
