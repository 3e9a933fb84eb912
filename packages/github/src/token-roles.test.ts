import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { TOKEN_ROLES, roleRefusal } from './token-roles.js';

describe('roleRefusal', () => {
  it('names the role, its variable and input, and the permission a 403/404 says it lacks', () => {
    const e = roleRefusal(
      new GitHubError('FORBIDDEN', 'Resource not accessible by integration', { status: 403 }),
      'commit',
      'contents: write',
      'acme/app',
    ) as GitHubError;
    expect(e).toBeInstanceOf(GitHubError);
    expect(e.code).toBe('FORBIDDEN');
    expect(e.status).toBe(403);
    expect(e.message).toMatch(
      /^the commit token \(RELKIT_COMMIT_TOKEN, Action input commit-token; .*\) lacks contents: write on acme\/app: Resource not accessible/,
    );
    expect(e.advice).toContain(TOKEN_ROLES.commit.env);
  });

  it('leaves a rate limit (also a 403) and other errors as they are', () => {
    const limited = new GitHubError('RATE_LIMITED', 'secondary rate limit', { status: 403 });
    expect(roleRefusal(limited, 'github', 'contents: write', 'acme/app')).toBe(limited);
    const other = new Error('boom');
    expect(roleRefusal(other, 'smoke', 'contents: write', 'acme/s')).toBe(other);
  });
});
