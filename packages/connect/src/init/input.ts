// What `release-cli init` is told, and the pieces every generated workflow shares (file names,
// the relkit step, App tokens, checkout). The files are plain template strings (no YAML library
// at run time): the tests parse them with `yaml`, lint them with actionlint and check every
// `uses:` against the pins table and the action.yml snapshots.
import { uses } from './pins.js';

export interface InitInput {
  /** OWNER/REPO. */
  readonly repository: string;
  /** Image name without tag, e.g. ghcr.io/acme/app. */
  readonly image: string;
  /** OWNER/REPO of the downstream smoke-test repository, if any. */
  readonly smoke?: string | undefined;
  /** The relkit action: OWNER/REPO@SHA (or a local `./` path, or a tag when no commit is known). */
  readonly action: string;
  /** The exact @relkit/cli version the justfile runs (`npx --yes @relkit/cli@<version>`). */
  readonly cliVersion: string;
  /** Architectures built, one runner each; linux/<arch> platforms in the config. */
  readonly architectures?: readonly string[] | undefined;
  /** Mint a GitHub App token per job (actions/create-github-app-token); ghcr.io keeps GITHUB_TOKEN. */
  readonly githubApp?: boolean | undefined;
  /** The branch release branches are cut from (gitflow: dev); default the base branch. */
  readonly integrationBranch?: string | undefined;
  /**
   * The repository's own build: a reusable workflow (`./.github/workflows/build.yml`, called as a
   * job) or a composite action (`./.github/actions/build`), with inputs image, image-tag and
   * platforms, pushing by digest and returning `digests` (JSON platform → digest). Default: a
   * docker/build-push-action job per architecture.
   */
  readonly build?: string | undefined;
  /** Prefix of the workflow file names, e.g. `relkit-` (avoids existing files). */
  readonly workflowPrefix?: string | undefined;
}

export interface InitFile {
  readonly path: string;
  readonly content: string;
}

/** Shared by the publish, promote and abandon workflows. */
export const CONCURRENCY_GROUP = 'relkit-release';

/** With --github-app: the repository variable holding the App's client ID, and the key secret. */
/**
 * The part every dispatch-only workflow (prepare, promote, abandon) shares: its name, the
 * `version` and `dry-run` inputs, the one release concurrency group and no default permissions.
 */
export function dispatchedWorkflow(name: WorkflowName, versionHelp: string, dryRunHelp: string): string {
  return `name: ${name}

on:
  workflow_dispatch:
    inputs:
      version:
        description: ${versionHelp}
        required: true
        type: string
      dry-run:
        description: ${dryRunHelp}
        required: false
        default: false
        type: boolean

concurrency:
  group: ${CONCURRENCY_GROUP}
  cancel-in-progress: false

permissions: {}

jobs:
`;
}

export const APP_CLIENT_ID_VARIABLE = 'RELKIT_APP_CLIENT_ID';
export const APP_PRIVATE_KEY_SECRET = 'RELKIT_APP_PRIVATE_KEY';
/** Without --github-app: an optional token secret for the GitHub API (GITHUB_TOKEN otherwise). */
export const TOKEN_SECRET = 'RELKIT_TOKEN';

/** The generated workflows, by their base names (without prefix and `.yml`). */
export type WorkflowName = 'release-publish' | 'prepare-release' | 'promote-release' | 'abandon-release';

export const workflowFileName = (input: InitInput, name: WorkflowName) =>
  `${input.workflowPrefix ?? ''}${name}.yml`;
export const workflowPath = (input: InitInput, name: WorkflowName) =>
  `.github/workflows/${workflowFileName(input, name)}`;

export const DEFAULT_ARCHITECTURES = ['amd64', 'arm64'] as const;
export const architecturesOf = (input: InitInput): readonly string[] =>
  input.architectures ?? DEFAULT_ARCHITECTURES;

export const integrationBranchOf = (input: InitInput) => input.integrationBranch ?? 'main';

/** The registry host of the image (ghcr.io, docker.io, …). */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && /[.:]/.test(first) ? first : 'docker.io';
}

const SHA = /^[^@\s]+@[0-9a-f]{40}$/;

/** A `with:` block, one `key: value` per line at the given indent. */
function withBlock(values: Readonly<Record<string, string | undefined>>, indent: string): string {
  const lines = Object.entries(values)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${indent}  ${k}: ${v}`);
  return lines.length > 0 ? `${indent}with:\n${lines.join('\n')}\n` : '';
}

/** One step running the relkit action. */
export function relkitStep(
  input: InitInput,
  name: string,
  values: Readonly<Record<string, string | undefined>>,
  id?: string,
  condition?: string,
): string {
  const comment = SHA.test(input.action) ? ` # relkit, as @relkit/cli ${input.cliVersion}` : '';
  return (
    `      - name: ${name}\n` +
    (id ? `        id: ${id}\n` : '') +
    (condition ? `        if: ${condition}\n` : '') +
    `        uses: ${input.action}${comment}\n` +
    withBlock(values, '        ')
  );
}

/** actions/checkout of the run's commit, without leaving the token in .git/config. */
export function checkoutStep(ref?: string): string {
  return `      - uses: ${uses('checkout')}\n${withBlock({ ref, 'persist-credentials': 'false' }, '        ')}`;
}

/** What an App installation token may do: `permission-<name>` inputs of create-github-app-token. */
export type AppPermissions = Readonly<Record<string, 'read' | 'write'>>;

/**
 * One App installation token of a job, scoped to what the job does. `scope` limits it to another
 * repository of the owner (the smoke repository). The same value makes the step's
 * `permission-*` inputs and the file header's list of what the App needs, so they cannot drift.
 */
export interface AppToken {
  readonly id: string;
  readonly purpose: string;
  readonly permissions: AppPermissions;
  readonly scope?: { readonly owner: string; readonly repository: string } | undefined;
  readonly condition?: string | undefined;
}

/** The token minted for the smoke repository (`owner` / `repositories`), when there is one. */
export function smokeAppToken(
  input: InitInput,
  purpose: string,
  permissions: AppPermissions,
): AppToken | undefined {
  if (!input.smoke) return undefined;
  const [owner = '', repository = ''] = input.smoke.split('/');
  return { id: 'smoke-token', purpose, permissions, scope: { owner, repository } };
}

/** The create-github-app-token step of one App token. */
export function appTokenStep(token: AppToken): string {
  return (
    `      - name: App token (${token.purpose})\n` +
    `        id: ${token.id}\n` +
    (token.condition ? `        if: ${token.condition}\n` : '') +
    `        uses: ${uses('createGitHubAppToken')}\n` +
    withBlock(
      {
        'client-id': `\${{ vars.${APP_CLIENT_ID_VARIABLE} }}`,
        'private-key': `\${{ secrets.${APP_PRIVATE_KEY_SECRET} }}`,
        owner: token.scope?.owner,
        repositories: token.scope?.repository,
        ...Object.fromEntries(Object.entries(token.permissions).map(([k, v]) => [`permission-${k}`, v])),
      },
      '        ',
    )
  );
}

/**
 * What the App's tokens in one file request, per repository (this one first, then the smoke
 * repository), each permission at the most any token asks (write over read), sorted by name.
 */
export function appPermissionsByRepository(
  input: InitInput,
  tokens: readonly AppToken[],
): Map<string, AppPermissions> {
  const out = new Map<string, Record<string, 'read' | 'write'>>();
  for (const t of tokens) {
    const repo = t.scope ? `${t.scope.owner}/${t.scope.repository}` : input.repository;
    const acc = out.get(repo) ?? {};
    for (const [name, level] of Object.entries(t.permissions)) if (acc[name] !== 'write') acc[name] = level;
    out.set(repo, acc);
  }
  return new Map(
    [...out].map(([repo, p]) => [
      repo,
      Object.fromEntries(Object.entries(p).sort(([a], [b]) => a.localeCompare(b))),
    ]),
  );
}

/** The relkit token inputs of a job: the App token when minted, else RELKIT_TOKEN or GITHUB_TOKEN. */
export function githubTokenValue(input: InitInput, appStep = 'app-token'): string {
  return input.githubApp ? `\${{ steps.${appStep}.outputs.token }}` : `\${{ secrets.${TOKEN_SECRET} }}`;
}

/** The header line before the list of the App's permissions (one repository a line). */
export const APP_NEEDS = 'The App needs exactly what its tokens in this file request:';

/** Without --github-app: an optional token secret that can read (and dispatch to) the smoke repository. */
export const SMOKE_TOKEN_SECRET = 'RELKIT_SMOKE_TOKEN';

/**
 * The smoke-token input of a job that reads or dispatches to the smoke repository: the App token
 * scoped to it; without an App, the optional secret (empty falls back to github-token).
 */
export function smokeTokenValue(input: InitInput, smokeToken: AppToken | undefined): string | undefined {
  if (!input.smoke) return undefined;
  if (input.githubApp) return smokeToken ? `\${{ steps.${smokeToken.id}.outputs.token }}` : undefined;
  return `\${{ secrets.${SMOKE_TOKEN_SECRET} }}`;
}

/**
 * The lines of a file header that name the tokens (and variable/secret names) a workflow uses;
 * with --github-app, exactly the permissions the file's App tokens request, per repository;
 * `smokeRole` when a job of the file reads or dispatches to the smoke repository.
 */
export function tokenHeader(
  input: InitInput,
  appTokens: readonly AppToken[] = [],
  smokeRole = false,
): string {
  if (input.githubApp) {
    const needs = [...appPermissionsByRepository(input, appTokens)].map(
      ([repo, p]) =>
        `#   ${repo}${repo === input.repository ? '' : ' (install the App there too)'}: ${Object.entries(p)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')}\n`,
    );
    return `# Tokens: a GitHub App token is minted per job (actions/create-github-app-token), scoped to
# what the job does, from the repository variable ${APP_CLIENT_ID_VARIABLE} (the App's client ID)
# and the secret ${APP_PRIVATE_KEY_SECRET} (its private key).
# ${APP_NEEDS}
${needs.join('')}# GitHub signs the API commits made with it. Images are pushed with GITHUB_TOKEN
# (packages: write): an App installation token cannot write org-owned GHCR packages.
`;
  }
  const smoke =
    input.smoke && smokeRole
      ? `# A private smoke repository (${input.smoke}) is out of GITHUB_TOKEN's reach: set
# the secret ${SMOKE_TOKEN_SECRET} (a token with contents: read there, contents: write to
# dispatch); it becomes relkit's smoke-token (empty: relkit's github-token).
`
      : '';
  return `# Tokens: GITHUB_TOKEN, with the permissions each job declares. Optional secret ${TOKEN_SECRET}
# (e.g. a GitHub App token) for the GitHub API when release branches are protected${input.smoke ? ' or the smoke\n# repository is another repository' : ''}; images are always pushed with GITHUB_TOKEN.
${smoke}# \`release-cli init --github-app\` mints App tokens per job instead.
`;
}
