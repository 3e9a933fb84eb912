// What every GitHubForge verb shares: the client, the polling knobs, and the one way a failed
// call becomes a GitHubError (the token is redacted from it, the HTTP status mapped to a code).
import { toGitHubError, type ForgeOctokit } from '../client.js';
import type { GitHubError } from '../errors.js';

export interface ForgeContext {
  readonly octokit: ForgeOctokit;
  /** Pause between re-queries (mergeability, read-after-write, dispatched runs). */
  readonly pollMs: number;
  /** Reads of a PR while GitHub reports mergeability unknown. */
  readonly mergeabilityAttempts: number;
  /** Reads of a ref after a write until it shows the new SHA (#617 lag). */
  readonly readBackAttempts: number;
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
