import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { resolveGitHubToken, tokenFromHostsYml } from './token.js';

const LEGACY = `github.com:
    user: alice
    oauth_token: gho_legacyToken
    git_protocol: https
ghe.example.com:
    oauth_token: gho_enterpriseToken
`;

// gh ≥ 2.40 with a token in the file (insecure storage): per-user tokens under users:.
const MULTI = `github.com:
    users:
        alice:
            oauth_token: gho_aliceToken
        bob:
            oauth_token: gho_bobToken
    git_protocol: https
    user: bob
`;

// gh with the system keyring: no token in the file at all.
const KEYRING = `github.com:
    users:
        alice:
    git_protocol: https
    user: alice
`;

async function ghDir(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'relkit-gh-'));
  await writeFile(path.join(dir, 'hosts.yml'), text);
  return dir;
}

describe('resolveGitHubToken', () => {
  it('prefers GH_TOKEN, then GITHUB_TOKEN, like gh', async () => {
    expect(
      await resolveGitHubToken({ env: { GH_TOKEN: 'a', GITHUB_TOKEN: 'b' }, ghConfigDir: '/nonexistent' }),
    ).toEqual({ token: 'a', source: 'GH_TOKEN' });
    expect(await resolveGitHubToken({ env: { GITHUB_TOKEN: 'b' }, ghConfigDir: '/nonexistent' })).toEqual({
      token: 'b',
      source: 'GITHUB_TOKEN',
    });
  });

  it('uses the enterprise variables for another host', async () => {
    expect(
      await resolveGitHubToken({
        env: { GITHUB_TOKEN: 'dotcom', GH_ENTERPRISE_TOKEN: 'ghe' },
        host: 'ghe.example.com',
        ghConfigDir: '/nonexistent',
      }),
    ).toEqual({ token: 'ghe', source: 'GH_ENTERPRISE_TOKEN' });
  });

  it('falls back on the token gh stored in hosts.yml (GH_CONFIG_DIR honoured)', async () => {
    const dir = await ghDir(LEGACY);
    expect(await resolveGitHubToken({ env: { GH_CONFIG_DIR: dir } })).toEqual({
      token: 'gho_legacyToken',
      source: 'gh hosts.yml',
    });
    expect(await resolveGitHubToken({ env: {}, ghConfigDir: dir, host: 'ghe.example.com' })).toEqual({
      token: 'gho_enterpriseToken',
      source: 'gh hosts.yml',
    });
  });

  it('reads the active user’s token from the users: map', () => {
    expect(tokenFromHostsYml(MULTI, 'github.com')).toBe('gho_bobToken');
    expect(tokenFromHostsYml(MULTI, 'ghe.example.com')).toBeUndefined();
  });

  it('explains the keyring case, and never echoes a token', async () => {
    const dir = await ghDir(KEYRING);
    const e = await resolveGitHubToken({ env: {}, ghConfigDir: dir }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitHubError);
    expect((e as GitHubError).code).toBe('NO_TOKEN');
    expect((e as GitHubError).advice).toMatch(/gh auth token/);
  });

  it('tells how to log in when there is nothing at all', async () => {
    const e = (await resolveGitHubToken({ env: {}, ghConfigDir: '/nonexistent' }).catch(
      (x: unknown) => x,
    )) as GitHubError;
    expect(e.code).toBe('NO_TOKEN');
    expect(e.advice).toMatch(/gh auth login/);
  });
});
