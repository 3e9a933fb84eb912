import { GitHubError } from './errors.js';

export interface RepositoryName {
  readonly owner: string;
  readonly repo: string;
}

// GitHub's own limits: owners are 1–39 alphanumerics or single hyphens; repos allow . _ -.
const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO_RE = /^[A-Za-z0-9._-]{1,100}$/;

/** Parses `OWNER/REPO` as users write it in config and flags. */
export function parseRepository(text: string): RepositoryName {
  const parts = text.split('/');
  const [owner, repo] = parts;
  if (
    parts.length !== 2 ||
    !owner ||
    !repo ||
    !OWNER_RE.test(owner) ||
    !REPO_RE.test(repo) ||
    repo === '.' ||
    repo === '..'
  ) {
    throw new GitHubError(
      'INVALID_INPUT',
      `"${text}" is not a GitHub repository; expected OWNER/REPO, e.g. acme/app`,
    );
  }
  return { owner, repo };
}
