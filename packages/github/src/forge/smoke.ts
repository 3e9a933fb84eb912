// The downstream smoke signal: a release of the tag in the downstream repository.
import { GitHubError } from '../errors.js';
import type { RepositoryName } from '../repository.js';
import type { SmokeRule, SmokeSignal } from '../types.js';
import type { ForgeContext } from './context.js';
import { findRelease } from './releases.js';

/**
 * Whether the downstream repository signalled "smoke test passed" for a tag by a release:
 * `published` (a published, non-prerelease release: what the origin ships), `prerelease` (a
 * published pre-release: the original request's wording) or `either` (any published release).
 */
export async function checkSmokeSignal(
  ctx: ForgeContext,
  repo: RepositoryName,
  tag: string,
  rule: SmokeRule,
): Promise<SmokeSignal> {
  if (!['prerelease', 'published', 'either'].includes(rule))
    throw new GitHubError(
      'INVALID_INPUT',
      `smoke rule must be 'prerelease', 'published' or 'either', not ${JSON.stringify(rule)}`,
    );
  const name = `${repo.owner}/${repo.repo}`;
  const found = await findRelease(ctx, repo, tag);
  const base = { repository: repo, tag, rule, release: found.release, draftsVisible: found.draftsVisible };
  const r = found.release;
  if (!r) {
    const invisible =
      found.draftsVisible === false ? ' (this token cannot see drafts there, so a draft may exist)' : '';
    return {
      ...base,
      state: 'absent',
      reason: `${name} has no release ${tag} yet${invisible}; if a published one existed and was deleted, the tag is burned for good and the version must be re-cut`,
    };
  }
  const kind = `${r.draft ? 'a draft' : 'a published'} ${r.prerelease ? 'pre-release' : 'final release'}`;
  const passed =
    !r.draft &&
    (rule === 'either' || (rule === 'published' && !r.prerelease) || (rule === 'prerelease' && r.prerelease));
  const wanted =
    rule === 'published'
      ? 'a published final release'
      : rule === 'prerelease'
        ? 'a published pre-release'
        : 'a published release';
  return {
    ...base,
    // A published final release never turns into a pre-release: under 'prerelease' that is a
    // mismatch between the rule and the downstream contract, not something to wait for.
    state: passed ? 'passed' : !r.draft && !r.prerelease && rule === 'prerelease' ? 'unexpected' : 'pending',
    reason: passed
      ? `${name} has ${kind} ${tag}, as rule '${rule}' requires`
      : `${name} has ${kind} ${tag}; rule '${rule}' wants ${wanted}${r.draft ? ' (still a draft)' : r.prerelease ? ' (still a pre-release, expected final)' : ' (it is final, not a pre-release)'}`,
  };
}
