// What every GitHubForge verb shares: the client, the polling knobs, and the one way a failed
// call becomes a GitHubError (the token is redacted from it, the HTTP status mapped to a code).
import { isAmbiguousFailure, toGitHubError, type ForgeOctokit } from '../client.js';
import type { GitHubError } from '../errors.js';

export interface ForgeContext {
  readonly octokit: ForgeOctokit;
  /** Pause between re-queries (mergeability, read-after-write, dispatched runs). */
  readonly pollMs: number;
  /** Reads of a PR while GitHub reports mergeability unknown. */
  readonly mergeabilityAttempts: number;
  /** Reads of a ref after a write until it shows the new SHA (#617 lag). */
  readonly readBackAttempts: number;
  /**
   * 'app': a GitHub App installation token (ghs_, GITHUB_TOKEN included), for which repos.get
   * reports `permissions.push: false` even with write access (semantic-release/github#182);
   * 'user': any other token, whose `permissions.push` is the truth.
   */
  readonly tokenKind: 'app' | 'user';
  /**
   * Releases this forge wrote, by `owner/repo#tag` → id: the releases list lags behind a create
   * (read-after-write), so a lookup that misses one reads it by id, which is consistent.
   */
  readonly written: Map<string, number>;
  /** The GitHubError for a failed call made while `doing` something. */
  fail(e: unknown, doing: string, advice?: Partial<Record<number, string>>): GitHubError;
  /** Runs `fn`; a failure is thrown as `fail(e, doing, advice)`. */
  call<T>(doing: string, fn: () => Promise<T>, advice?: Partial<Record<number, string>>): Promise<T>;
}

export function forgeContext(
  octokit: ForgeOctokit,
  token: string,
  polling: Pick<ForgeContext, 'pollMs' | 'mergeabilityAttempts' | 'readBackAttempts'>,
): ForgeContext {
  const fail = (e: unknown, doing: string, advice?: Partial<Record<number, string>>): GitHubError =>
    toGitHubError(e, doing, token, advice);
  return {
    octokit,
    ...polling,
    tokenKind: token.startsWith('ghs_') ? 'app' : 'user',
    written: new Map(),
    fail,
    async call<T>(doing: string, fn: () => Promise<T>, advice?: Partial<Record<number, string>>): Promise<T> {
      try {
        return await fn();
      } catch (e) {
        throw fail(e, doing, advice);
      }
    },
  };
}

export const SHA_RE = /^[0-9a-f]{40}$/;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `name/with-slashes` → `refs/name/with-slashes`; `refs/...` unchanged. */
export function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/${ref}`;
}

/**
 * A write that is safe under "applied, then failed": on an ambiguous failure (5xx, dropped
 * connection) it looks for the write's effect (`effect`) before writing again, and never re-sends
 * a write whose effect is already there. Other failures are thrown as they came.
 */
export async function writeOnce<T>(
  ctx: ForgeContext,
  doing: string,
  write: () => Promise<T>,
  effect: () => Promise<T | undefined>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (!isAmbiguousFailure(e)) throw e;
      const found = await effect();
      if (found !== undefined) return found;
      if (attempt >= attempts)
        throw ctx.fail(e, `${doing} (${attempt} tries; the effect is not there, nothing was duplicated)`);
      await sleep(ctx.pollMs * attempt);
    }
  }
}
