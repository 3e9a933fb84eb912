// The doctor's token-role checks: for each role relkit will use (github, commit, smoke when a smoke
// repository is configured, packages when RC clean-up goes through the GitHub Packages API),
// where its token came from and whether it has the permissions the role's commands need —
// probed read-only. A role sharing an earlier role's token is reported as "same token as …" and
// reuses that role's answers: every probe runs once per token and repository.
import { cleanupRoute, isGitflow, type ReleaseConfig } from '@relkit/release-core';
import {
  GitHubError,
  PACKAGES_PERMISSIONS,
  TOKEN_ROLES,
  containerPackageOf,
  packagesPort,
  parseRepository,
  roleLacks,
  type GitHubForge,
  type RepositoryAccess,
  type TokenRole,
} from '@relkit/github';
import type { GitHubRoles } from '../connect.js';
import type { RoleName } from '../role-tokens.js';
import { fail, pass, skip, type DoctorCheck } from './checks.js';

const errorText = (e: unknown) => {
  const err = e as { message?: string; code?: unknown };
  return `${err.message ?? String(e)}${typeof err.code === 'string' ? ` [${err.code}]` : ''}`;
};
const adviceOf = (e: unknown, otherwise: string) => {
  const advice = (e as { advice?: unknown }).advice;
  return typeof advice === 'string' && advice ? advice : otherwise;
};
/** GitHub refused the token (403) or hid the repository from it (404). */
const refused = (e: unknown) =>
  e instanceof GitHubError && (e.code === 'FORBIDDEN' || e.code === 'NOT_FOUND');

/** What one token was found able to do on one repository. */
interface RepositoryProbe {
  readonly access: RepositoryAccess;
  /** A draft release is visible in the first page of the list (proves push access). */
  readonly drafts: boolean;
}

/** Probes memoized by token and repository: a shared token is asked once. */
class Probes {
  private readonly memo = new Map<string, Promise<unknown>>();
  constructor(private readonly roles: GitHubRoles) {}

  private once<T>(key: string, run: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) this.memo.set(key, (p = run()));
    return p;
  }

  repository(role: TokenRole, repository: string): Promise<RepositoryProbe> {
    const forge: GitHubForge = this.roles[role];
    const repo = parseRepository(repository);
    return this.once(`${this.roles.tokens[role].token}\0repo\0${repository}`, async () => {
      const [access, releases] = await Promise.all([
        forge.repositoryAccess(repo),
        forge.releasesVisible(repo),
      ]);
      return { access, drafts: releases.drafts };
    });
  }

  pulls(repository: string): Promise<void> {
    return this.once(`${this.roles.tokens.github.token}\0pulls\0${repository}`, () =>
      this.roles.github.pullRequestsReadable(parseRepository(repository)),
    );
  }
}

const ORDER: readonly RoleName[] = ['github', 'commit', 'smoke'];

/** "from GH_TOKEN", or "same token as github (from GH_TOKEN)" when an earlier role holds it. */
function origin(roles: GitHubRoles, role: RoleName): string {
  const t = roles.tokens[role];
  const before = ORDER.slice(0, role === 'packages' ? ORDER.length : ORDER.indexOf(role));
  const shared = before.find((r) => roles.tokens[r].token === t.token);
  return shared ? `same token as ${shared} (from ${roles.tokens[shared].source})` : `from ${t.source}`;
}

/** `push`, `admin` … as GitHub lists them, and a classic token's scopes. */
function accessSummary(a: RepositoryAccess): string {
  const perms = a.permissions
    ? Object.entries(a.permissions)
        .filter(([, on]) => on)
        .map(([name]) => name)
        .join(', ')
    : '';
  return [
    perms ? `permissions: ${perms}` : undefined,
    a.scopes ? `classic token scopes: ${a.scopes.join(', ') || 'none'}` : undefined,
  ]
    .filter(Boolean)
    .join('; ');
}

/** Push access from a probe: proven, refused, or not provable read-only (an App token). */
const pushOf = (p: RepositoryProbe): boolean | undefined => (p.drafts ? true : p.access.push);

const APP_TOKEN_UNPROVABLE =
  'GitHub reports push: false for every App installation token whatever it may write, and no draft release in the list proves it; only a write would tell';

/** The write a role needs on a repository: pass, fail with the role's wording, or not provable. */
function writeCheck(
  id: string,
  title: string,
  role: TokenRole,
  permission: string,
  repository: string,
  from: string,
  probe: RepositoryProbe,
): DoctorCheck {
  const push = pushOf(probe);
  if (push === true) return pass(id, title, `${from}: push access on ${repository}`);
  if (push === undefined) return skip(id, title, `${from}, reads ${repository}; ${APP_TOKEN_UNPROVABLE}`);
  const lacks = roleLacks(role, permission, repository);
  return fail(id, title, `${from}: ${lacks.message} (GitHub says push: false)`, lacks.advice);
}

/** A probe that threw: the role named when GitHub refused its token. */
function probeFailure(
  id: string,
  title: string,
  role: TokenRole,
  permission: string,
  repository: string,
  from: string,
  e: unknown,
): DoctorCheck {
  if (refused(e)) {
    const lacks = roleLacks(role, permission, repository);
    return fail(id, title, `${from}: ${lacks.message}: ${errorText(e)}`, lacks.advice);
  }
  return fail(id, title, `${from}: ${errorText(e)}`, adviceOf(e, 'check the network and the GitHub API URL'));
}

const roleTitle = (role: TokenRole) => `${role} token (${TOKEN_ROLES[role].purpose})`;
const GITHUB_WRITE = 'contents: write and pull-requests: write';

async function githubRole(config: ReleaseConfig, roles: GitHubRoles, probes: Probes): Promise<DoctorCheck[]> {
  const repository = config.repository;
  const from = origin(roles, 'github');
  const repoTitle = `GitHub: read ${repository}`;
  const draftsTitle = 'GitHub: list releases, drafts included';
  const pullsTitle = `GitHub: read pull requests of ${repository}`;
  const [repo, pulls] = await Promise.allSettled([
    probes.repository('github', repository),
    probes.pulls(repository),
  ]);
  if (repo.status === 'rejected')
    return [
      probeFailure('github-repo', repoTitle, 'github', 'contents: read', repository, from, repo.reason),
      skip('github-drafts', draftsTitle, 'the repository is not readable'),
      skip('github-pulls', pullsTitle, 'the repository is not readable'),
    ];
  const summary = accessSummary(repo.value.access);
  const checks = [
    pass('github-repo', repoTitle, `readable with the github token ${from}${summary ? `; ${summary}` : ''}`),
  ];
  const push = pushOf(repo.value);
  if (push === true) checks.push(pass('github-drafts', draftsTitle, 'the token has push access'));
  else if (push === undefined) checks.push(skip('github-drafts', draftsTitle, APP_TOKEN_UNPROVABLE));
  else {
    const lacks = roleLacks('github', GITHUB_WRITE, repository);
    checks.push(
      fail(
        'github-drafts',
        draftsTitle,
        `the token is read-only: draft releases are invisible and promote could not publish or merge (${lacks.message})`,
        lacks.advice,
      ),
    );
  }
  checks.push(
    pulls.status === 'fulfilled'
      ? pass(
          'github-pulls',
          pullsTitle,
          'readable (opening and merging the release PR need pull-requests: write)',
        )
      : probeFailure(
          'github-pulls',
          pullsTitle,
          'github',
          'pull-requests: read',
          repository,
          from,
          pulls.reason,
        ),
  );
  return checks;
}

async function commitRole(config: ReleaseConfig, roles: GitHubRoles, probes: Probes): Promise<DoctorCheck> {
  const repository = config.repository;
  const from = origin(roles, 'commit');
  const title = roleTitle('commit');
  try {
    const probe = await probes.repository('commit', repository);
    return writeCheck('token-commit', title, 'commit', 'contents: write', repository, from, probe);
  } catch (e) {
    return probeFailure('token-commit', title, 'commit', 'contents: write', repository, from, e);
  }
}

async function smokeRole(smokeRepository: string, roles: GitHubRoles, probes: Probes): Promise<DoctorCheck> {
  const from = origin(roles, 'smoke');
  const title = `${roleTitle('smoke')}: ${smokeRepository}`;
  // The dispatch (repository_dispatch) needs write; reading its releases (the signal) needs read.
  const permission = 'contents: write (the repository_dispatch; its releases need contents: read)';
  try {
    const probe = await probes.repository('smoke', smokeRepository);
    return writeCheck('token-smoke', title, 'smoke', permission, smokeRepository, from, probe);
  } catch (e) {
    return probeFailure('token-smoke', title, 'smoke', permission, smokeRepository, from, e);
  }
}

/** Lists each package's versions (read); delete cannot be probed without deleting. */
async function packagesRole(
  images: readonly string[],
  roles: GitHubRoles,
  signal?: AbortSignal,
): Promise<DoctorCheck[]> {
  const from = origin(roles, 'packages');
  const title = `packages token (RC clean-up through the GitHub Packages API)`;
  const port = packagesPort(roles.packages, { tokenName: roles.packagesTokenName });
  const packages = [...new Map(images.map((i) => [JSON.stringify(containerPackageOf(i)), i])).values()];
  const found = await Promise.allSettled(packages.map((image) => port.listVersions(image, signal)));
  const failed = found.findIndex((f) => f.status === 'rejected');
  const name = (image: string) => {
    const p = containerPackageOf(image);
    return `${p.owner}/${p.name}`;
  };
  const read =
    failed >= 0
      ? fail(
          'token-packages',
          title,
          `${from}: ${errorText((found[failed] as PromiseRejectedResult).reason)}`,
          adviceOf(
            (found[failed] as PromiseRejectedResult).reason,
            `give ${roles.packagesTokenName} ${PACKAGES_PERMISSIONS.read}`,
          ),
        )
      : pass(
          'token-packages',
          title,
          `${from}: lists the versions of ${packages
            .map(
              (image, i) =>
                `${name(image)} (${(found[i] as PromiseFulfilledResult<readonly unknown[]>).value.length})`,
            )
            .join(', ')}`,
        );
  return [
    read,
    skip(
      'token-packages-delete',
      'packages token: delete RC versions',
      `deleting needs ${PACKAGES_PERMISSIONS.delete}, which GitHub shows only by deleting`,
    ),
  ];
}

async function integrationBranch(config: ReleaseConfig, roles: GitHubRoles): Promise<DoctorCheck> {
  const branch = config.integrationBranch;
  const title = `integration branch ${branch} of ${config.repository}`;
  try {
    const sha = await roles.github.getRef(parseRepository(config.repository), `heads/${branch}`);
    return sha
      ? pass('integration-branch', title, `exists at ${sha.slice(0, 7)}`)
      : fail(
          'integration-branch',
          title,
          `${config.repository} has no branch ${branch}`,
          `create it from ${config.baseBranch} (git push origin ${config.baseBranch}:${branch}), or set integrationBranch to the branch work is integrated on`,
        );
  } catch (e) {
    return fail(
      'integration-branch',
      title,
      errorText(e),
      adviceOf(e, `check that the github token may read ${config.repository}`),
    );
  }
}

/**
 * Every role the config needs, with the roles' GitHub clients (connectGitHubRoles): never writes,
 * never throws for what it finds.
 */
export async function tokenRoleChecks(
  config: ReleaseConfig,
  roles: GitHubRoles,
  signal?: AbortSignal,
): Promise<DoctorCheck[]> {
  const probes = new Probes(roles);
  const viaPackages = config.images
    .map((i) => i.name)
    .filter((n) => cleanupRoute(config, n) === 'packages-api');
  // github first: a role sharing its token reuses its answers instead of asking again.
  const github = await githubRole(config, roles, probes);
  const [rest, packages] = await Promise.all([
    Promise.all([
      commitRole(config, roles, probes),
      ...(config.smoke ? [smokeRole(config.smoke.repository, roles, probes)] : []),
      ...(isGitflow(config) ? [integrationBranch(config, roles)] : []),
    ]),
    viaPackages.length > 0 ? packagesRole(viaPackages, roles, signal) : Promise.resolve([]),
  ]);
  return [...github, ...rest, ...packages];
}
