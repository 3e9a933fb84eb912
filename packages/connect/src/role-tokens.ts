// Which token each role uses and where it came from (the variable, never the token): shared by
// connectGitHubRoles (the commands) and `release-cli doctor`, so both pick the same token.
import { resolveGitHubToken, type TokenRole } from '@relkit/github';
import type { ReleaseConnectOptions } from './options.js';

/** The token roles: the three of TOKEN_ROLES and `packages` (the GitHub Packages API, RC clean-up). */
export type RoleName = TokenRole | 'packages';

export interface RoleToken {
  readonly token: string;
  /** Where it came from, e.g. `RELKIT_COMMIT_TOKEN`, `GH_TOKEN`, `gh hosts.yml`, `the editor sign-in`. */
  readonly source: string;
  /** Set when the role has no token of its own: the role whose token it takes. */
  readonly defaultsTo?: RoleName;
}

export interface RoleTokens {
  readonly github: RoleToken;
  readonly commit: RoleToken;
  readonly smoke: RoleToken;
  readonly packages: RoleToken;
  /** How the packages token is named in a refusal. */
  readonly packagesTokenName: string;
}

const set = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * github from the front end's token, else RELKIT_GITHUB_TOKEN, else the way gh finds one
 * (GH_TOKEN / GITHUB_TOKEN / gh's hosts.yml); commit from RELKIT_COMMIT_TOKEN, else github's;
 * smoke from RELKIT_SMOKE_TOKEN, else commit's; packages from RELKIT_REGISTRY_PASSWORD, else
 * GITHUB_TOKEN (the workflow's token; an App installation token cannot write organization-owned
 * GHCR packages), else github's. Throws (NO_TOKEN) when there is no github token.
 */
export async function resolveRoleTokens(
  options: ReleaseConnectOptions,
  /** The GitHub REST root (gitHubApiUrl): GitHub Enterprise Server's host picks gh's token. */
  baseUrl: string,
): Promise<RoleTokens> {
  const env = options.env;
  const enterprise = /\/api\/v3\/?$/.test(baseUrl);
  const own = (name: string): RoleToken | undefined => {
    const token = set(env[name]);
    return token === undefined ? undefined : { token, source: name };
  };
  const github: RoleToken =
    options.githubToken !== undefined
      ? { token: options.githubToken, source: 'the editor sign-in' }
      : (own('RELKIT_GITHUB_TOKEN') ??
        (await resolveGitHubToken({ env, host: enterprise ? new URL(baseUrl).host : 'github.com' })));
  const inherit = (from: RoleToken, role: RoleName): RoleToken => ({
    token: from.token,
    source: from.source,
    defaultsTo: role,
  });
  const commit = own('RELKIT_COMMIT_TOKEN') ?? inherit(github, 'github');
  const smoke = own('RELKIT_SMOKE_TOKEN') ?? inherit(commit, 'commit');
  const packages = own('RELKIT_REGISTRY_PASSWORD') ?? own('GITHUB_TOKEN') ?? inherit(github, 'github');
  const packagesTokenName =
    packages.source === 'RELKIT_REGISTRY_PASSWORD'
      ? 'the registry token (RELKIT_REGISTRY_PASSWORD / Action input registry-password)'
      : packages.source === 'GITHUB_TOKEN' && packages.defaultsTo === undefined
        ? 'the workflow token (GITHUB_TOKEN / Action input token; set registry-password for another)'
        : 'the github token (no RELKIT_REGISTRY_PASSWORD or GITHUB_TOKEN is set)';
  return { github, commit, smoke, packages, packagesTokenName };
}
