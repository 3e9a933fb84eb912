// Token roles: a repository whose automation uses GitHub App tokens minted per job has one
// identity for releases and the release PR, one for API commits (signed by GitHub, allowed to
// push to protected release branches) and one scoped to the downstream smoke repository. Each
// role defaults to the one before it; a refusal (403/404) names the role and what it lacks.
import { GitHubError } from './errors.js';

export type TokenRole = 'github' | 'commit' | 'smoke';

export interface TokenRoleFacts {
  /** The CLI environment variable. */
  readonly env: string;
  /** The GitHub Action input. */
  readonly input: string;
  /** What relkit does with it. */
  readonly purpose: string;
}

export const TOKEN_ROLES: Readonly<Record<TokenRole, TokenRoleFacts>> = {
  github: {
    env: 'RELKIT_GITHUB_TOKEN',
    input: 'github-token',
    purpose: 'releases, tags, the release PR and its merge',
  },
  commit: { env: 'RELKIT_COMMIT_TOKEN', input: 'commit-token', purpose: 'API commits (the finalize commit)' },
  smoke: { env: 'RELKIT_SMOKE_TOKEN', input: 'smoke-token', purpose: 'the dispatch to the smoke repository' },
};

/**
 * `e` with the role named when GitHub refused the role's token (403 FORBIDDEN, or 404 NOT_FOUND:
 * GitHub's answer for a repository the token cannot see); any other error unchanged.
 */
export function roleRefusal(e: unknown, role: TokenRole, permission: string, repository: string): unknown {
  // Only a refusal: a rate limit (also a 403) or a ruleset is not about the token's permissions.
  if (!(e instanceof GitHubError) || (e.code !== 'FORBIDDEN' && e.code !== 'NOT_FOUND')) return e;
  const lacks = roleLacks(role, permission, repository);
  return new GitHubError(e.code, `${lacks.message}: ${e.message}`, {
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.requestId !== undefined ? { requestId: e.requestId } : {}),
    cause: e,
    advice: `${lacks.advice}${e.advice ? `; ${e.advice}` : ''}`,
  });
}

/**
 * What a role's token lacks and how to give it, in the words of a refusal: shared by the refusals
 * of the commands and by `release-cli doctor`, which finds the same lack without writing.
 */
export function roleLacks(
  role: TokenRole,
  permission: string,
  repository: string,
): { readonly message: string; readonly advice: string } {
  const r = TOKEN_ROLES[role];
  return {
    message: `the ${role} token (${r.env}, Action input ${r.input}; used for ${r.purpose}) lacks ${permission} on ${repository}`,
    advice: `give the ${role} token ${permission} on ${repository} (a GitHub App installation token for that repository, or set ${r.env} / the ${r.input} input to one that has it)`,
  };
}

/** Runs `fn`, naming the role in a 403/404 it throws. */
export async function asRole<T>(
  role: TokenRole,
  permission: string,
  repository: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw roleRefusal(e, role, permission, repository);
  }
}
