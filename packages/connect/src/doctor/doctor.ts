// `release-cli doctor`, the Action's `doctor` and the extension's "Release: Check Setup": reads
// the config, the credentials, GitHub, the registry and the generated workflows, never writes,
// and returns one check per thing a first release needs. The decisions are in checks.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatTag, parseVersion, type ReleaseConfig } from '@relkit/release-core';
import { parseRepository, resolveGitHubToken, type GitHubForge } from '@relkit/github';
import { RegistryClient, defaultCredentials } from '@relkit/registry';
import { connectGitHub, gitHubApiUrl, loadConfig, networkTimeoutMs } from '../connect.js';
import { initFiles, workflowPath, type WorkflowName } from '../init/index.js';
import type { ReleaseConnectOptions } from '../options.js';
import {
  checkSigningPolicy,
  checkWorkflow,
  doctorReport,
  workflowPrefixOf,
  fail,
  pass,
  skip,
  type DoctorCheck,
  type DoctorReport,
} from './checks.js';
import { probeRegistryPull, probeRegistryPush } from './registry-probe.js';

export interface DoctorOptions extends ReleaseConnectOptions {
  readonly signal?: AbortSignal | undefined;
  /**
   * The relkit action the generated workflows use (OWNER/REPO@SHA), for its pin. Default: the
   * action running the doctor (GITHUB_ACTION_REPOSITORY@GITHUB_ACTION_REF), else relkit's own
   * pin is not compared (the other actions' pins always are).
   */
  readonly action?: string | undefined;
}

const errorText = (e: unknown) => {
  const err = e as { message?: string; code?: unknown };
  return `${err.message ?? String(e)}${typeof err.code === 'string' ? ` [${err.code}]` : ''}`;
};
const adviceOf = (e: unknown, otherwise: string) => {
  const advice = (e as { advice?: unknown }).advice;
  return typeof advice === 'string' && advice ? advice : otherwise;
};

const TOKEN_FIX =
  'use a token with contents: write and pull-requests: write on the repository (a GitHub App token in RELKIT_TOKEN, or the workflow token with those permissions)';

async function githubChecks(
  config: ReleaseConfig,
  forge: GitHubForge,
  source: string,
): Promise<DoctorCheck[]> {
  const repo = parseRepository(config.repository);
  // A tag no release has: listing releases is the probe, the answer does not matter.
  const probeTag = formatTag(parseVersion('0.0.0'), config.tagPrefix);
  const checks: DoctorCheck[] = [];
  try {
    const lookup = await forge.findRelease(repo, probeTag);
    checks.push(
      pass('github-repo', `GitHub: read ${config.repository}`, `readable with the token from ${source}`),
    );
    checks.push(
      lookup.draftsVisible
        ? pass('github-drafts', 'GitHub: list releases, drafts included', 'the token has push access')
        : fail(
            'github-drafts',
            'GitHub: list releases, drafts included',
            'the token is read-only: draft releases are invisible and promote could not publish or merge',
            TOKEN_FIX,
          ),
    );
  } catch (e) {
    checks.push(
      fail(
        'github-repo',
        `GitHub: read ${config.repository}`,
        errorText(e),
        adviceOf(e, `check that the token from ${source} may read ${config.repository}`),
      ),
    );
    checks.push(
      skip('github-drafts', 'GitHub: list releases, drafts included', 'the repository is not readable'),
    );
  }
  if (config.smoke) {
    const smoke = config.smoke.repository;
    try {
      await forge.findRelease(parseRepository(smoke), probeTag);
      checks.push(pass('github-smoke', `GitHub: read the smoke repository ${smoke}`, 'releases readable'));
    } catch (e) {
      checks.push(
        fail(
          'github-smoke',
          `GitHub: read the smoke repository ${smoke}`,
          errorText(e),
          adviceOf(e, `give the token read access to ${smoke} (a GitHub App installed on both repositories)`),
        ),
      );
    }
  }
  checks.push(
    skip(
      'github-rules',
      `GitHub: rulesets and branch protection of ${config.baseBranch}`,
      'relkit does not read rulesets or branch protection yet; relkit commits through the API (so "require signed commits" is met) and waits for every check the PR reports',
    ),
  );
  return checks;
}

const GENERATED_WORKFLOWS: readonly WorkflowName[] = [
  'release-publish',
  'prepare-release',
  'promote-release',
  'abandon-release',
];

function workflowChecks(config: ReleaseConfig, root: string, action: string): DoctorCheck[] {
  const input = {
    repository: config.repository,
    image: config.images[0]?.name ?? `ghcr.io/${config.repository.toLowerCase()}`,
    smoke: config.smoke?.repository,
    action,
    cliVersion: '0.0.0', // only the workflows are compared; the CLI version is the justfile's
    architectures: config.images[0]?.platforms.map((p) => p.split('/')[1] ?? p),
    workflowPrefix: workflowPrefixOf(config),
  };
  const expected = initFiles(input);
  return GENERATED_WORKFLOWS.map((name) => {
    const path = workflowPath(input, name);
    const file = join(root, path);
    const template = expected.find((f) => f.path === path)?.content ?? '';
    return checkWorkflow(path, existsSync(file) ? readFileSync(file, 'utf8') : undefined, template);
  });
}

/** The relkit action of the Actions step running the doctor, if that is where it runs. */
function runningAction(env: ReleaseConnectOptions['env']): string | undefined {
  const repo = env.GITHUB_ACTION_REPOSITORY;
  const ref = env.GITHUB_ACTION_REF;
  return repo && ref ? `${repo}@${ref}` : undefined;
}

/** Runs every check; never throws for what it finds (a failure is a failed check). */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  let config: ReleaseConfig | undefined;
  let path: string | undefined;
  try {
    ({ config, path } = loadConfig(options.cwd, options.configPath));
    checks.push(pass('config', 'config valid', path));
  } catch (e) {
    checks.push(
      fail(
        'config',
        'config valid',
        errorText(e),
        'fix the key the message names, or create one with `release-cli init`',
      ),
    );
  }

  let token: { token: string; source: string } | undefined;
  try {
    const env = options.env;
    const baseUrl = gitHubApiUrl(env);
    const host = /\/api\/v3\/?$/.test(baseUrl) ? new URL(baseUrl).host : 'github.com';
    token = options.githubToken
      ? { token: options.githubToken, source: 'the editor sign-in' }
      : await resolveGitHubToken({ env, host });
    checks.push(pass('github-token', 'GitHub token', `from ${token.source}`));
  } catch (e) {
    checks.push(
      fail(
        'github-token',
        'GitHub token',
        errorText(e),
        adviceOf(e, 'run `gh auth login`, or export GITHUB_TOKEN'),
      ),
    );
  }

  if (!config || !path) {
    checks.push(skip('github', 'GitHub access', 'no valid config'));
    checks.push(skip('registry', 'registry access', 'no valid config'));
    return doctorReport(checks);
  }
  const root = dirname(path);
  const registry = new RegistryClient({
    credentials: defaultCredentials(options.env),
    insecureRegistries: config.registries.insecure,
    proxyEnv: options.env,
    deadlineMs: networkTimeoutMs(options),
  });
  const signal = options.signal;
  const [github, images] = await Promise.all([
    token
      ? connectGitHub({ ...options, githubToken: token.token }).then((forge) =>
          githubChecks(config, forge, token.source),
        )
      : Promise.resolve([skip('github', 'GitHub access', 'no GitHub token')]),
    Promise.all(
      config.images.map((img) =>
        Promise.all([
          probeRegistryPull(registry, img.name, signal),
          probeRegistryPush(registry, img.name, signal),
        ]),
      ),
    ),
  ]);
  checks.push(...github, ...images.flat());
  const prefix = workflowPrefixOf(config);
  checks.push(checkSigningPolicy(config, `.github/workflows/${prefix}release-publish.yml`));
  // './' (a local action) is never compared: without a known relkit action, only the others are.
  checks.push(...workflowChecks(config, root, options.action ?? runningAction(options.env) ?? './'));
  return doctorReport(checks);
}
