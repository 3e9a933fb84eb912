// `release-cli doctor`, the Action's `doctor` and the extension's "Release: Check Setup": reads
// the config, the credentials, GitHub, the registry and the generated workflows, never writes,
// and returns one check per thing a first release needs. The decisions are in checks.ts.
import { dirname, join } from 'node:path';
import type { ReleaseConfig } from '@relkit/release-core';
import { RegistryClient, defaultCredentials } from '@relkit/registry';
import { connectGitHubRoles, loadConfig, networkTimeoutMs, type GitHubRoles } from '../connect.js';
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
import { tokenRoleChecks } from './token-checks.js';

// Not `import … from 'node:fs'`: that builds node:fs's ESM facade, which loads its streams, on
// the start-up path of every command that connects (this module shares their bundle chunk).
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');

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

/** Rulesets and branch protection: not read yet (what relkit does about them is in the detail). */
function rulesCheck(config: ReleaseConfig): DoctorCheck {
  return skip(
    'github-rules',
    `GitHub: rulesets and branch protection of ${config.baseBranch}`,
    'relkit does not read rulesets or branch protection yet; relkit commits through the API (so "require signed commits" is met) and waits for every check the PR reports',
  );
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

  // The token of each role (connectGitHubRoles, as the commands pick them); the github role's is
  // required, the others default to it.
  let roles: GitHubRoles | undefined;
  try {
    roles = await connectGitHubRoles(options);
    checks.push(pass('token-github', 'github token', `from ${roles.tokens.github.source}`));
  } catch (e) {
    checks.push(
      fail(
        'token-github',
        'github token',
        errorText(e),
        adviceOf(e, 'run `gh auth login`, or export RELKIT_GITHUB_TOKEN (or GH_TOKEN / GITHUB_TOKEN)'),
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
    roles
      ? tokenRoleChecks(config, roles, options.signal).then((c) => [...c, rulesCheck(config)])
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
