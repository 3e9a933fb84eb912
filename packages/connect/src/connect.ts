import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  ReleaseError,
  createReleaseService,
  parseConfigText,
  type ReleaseConfig,
  type ReleasePorts,
  type ReleaseService,
  type SignaturePort,
} from '@relkit/release-core';
import { GitHubForge, forgePort, parseRepository, resolveGitHubToken } from '@relkit/github';
import { RegistryClient, defaultCredentials, registryPort } from '@relkit/registry';
import type { SignaturePortOptions } from '@relkit/sigstore-verify';
import type { ConnectOptions, ReleaseConnectOptions } from './options.js';

export const CONFIG_FILE = 'release.config.json';

/** Finds release.config.json: the given path, or the nearest one from cwd upwards. */
export function findConfig(cwd: string, configPath?: string): string {
  if (configPath) {
    const p = isAbsolute(configPath) ? configPath : resolve(cwd, configPath);
    if (!existsSync(p)) throw new ReleaseError('INVALID_CONFIG', `${p} does not exist`);
    return p;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const p = join(dir, CONFIG_FILE);
    if (existsSync(p)) return p;
    if (dirname(dir) === dir) break;
  }
  throw new ReleaseError(
    'INVALID_CONFIG',
    `no ${CONFIG_FILE} in ${cwd} or above; create one with \`release-cli init\` or pass --config`,
  );
}

export function loadConfig(cwd: string, configPath?: string): { config: ReleaseConfig; path: string } {
  const path = findConfig(cwd, configPath);
  return { config: parseConfigText(readFileSync(path, 'utf8'), path), path };
}

const isLoopbackUrl = (u: string) =>
  /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(u);

/**
 * The composition root shared by the CLI, the GitHub Action and the VS Code extension: reads
 * the config, finds credentials (GH_TOKEN / GITHUB_TOKEN / gh's hosts.yml; docker config and
 * credential helpers for registries) and wires the adapters into core's ports.
 */
export async function connectRelease(options: ReleaseConnectOptions): Promise<ReleaseService> {
  const { config, path } = loadConfig(options.cwd, options.configPath);
  return createReleaseService(config, await connectPorts(config, path, options));
}

/** The GitHub adapter with the github role's token (releases, PR, merge); see connectGitHubRoles. */
export async function connectGitHub(options: ReleaseConnectOptions): Promise<GitHubForge> {
  return (await connectGitHubRoles(options)).github;
}

/** One GitHub client per token role; a role without its own token shares the one before it. */
export interface GitHubRoles {
  /** Releases, tags, the release PR and its merge. */
  readonly github: GitHubForge;
  /** API commits (the finalize commit). */
  readonly commit: GitHubForge;
  /** The dispatch to (and releases of) the smoke repository. */
  readonly smoke: GitHubForge;
}

/**
 * The GitHub clients by token role: github from the front end's token, else RELKIT_GITHUB_TOKEN,
 * else the way gh finds one (GH_TOKEN / GITHUB_TOKEN / gh's hosts.yml); commit from
 * RELKIT_COMMIT_TOKEN, else github's; smoke from RELKIT_SMOKE_TOKEN, else commit's. GHES through
 * the API URL.
 */
export async function connectGitHubRoles(options: ReleaseConnectOptions): Promise<GitHubRoles> {
  const env = options.env;
  // GitHub Enterprise Server: https://HOST/api/v3 (GITHUB_API_URL is set inside GitHub Actions).
  const baseUrl = env.RELKIT_GITHUB_API_URL ?? env.GITHUB_API_URL ?? 'https://api.github.com';
  const enterprise = /\/api\/v3\/?$/.test(baseUrl);
  const set = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const githubToken =
    options.githubToken ??
    set(env.RELKIT_GITHUB_TOKEN) ??
    (await resolveGitHubToken({ env, host: enterprise ? new URL(baseUrl).host : 'github.com' })).token;
  const commitToken = set(env.RELKIT_COMMIT_TOKEN) ?? githubToken;
  const smokeToken = set(env.RELKIT_SMOKE_TOKEN) ?? commitToken;
  const forges = new Map<string, GitHubForge>();
  const forgeFor = (token: string) => {
    let f = forges.get(token);
    if (!f)
      forges.set(
        token,
        (f = new GitHubForge({
          token,
          baseUrl,
          // GitHub asks for a second between writes; a local simulator needs no pacing.
          ...(isLoopbackUrl(baseUrl) ? { writeSpacingMs: 0, pollIntervalMs: 50, retryBaseMs: 50 } : {}),
        })),
      );
    return f;
  };
  return { github: forgeFor(githubToken), commit: forgeFor(commitToken), smoke: forgeFor(smokeToken) };
}

/**
 * The signature port, its module (@relkit/sigstore-verify with @sigstore/*, the largest part of
 * the promote path's code) loaded in the background: a verification starts only once the
 * registry has answered a few round trips, so loading it meanwhile keeps it off the first
 * requests (bench: promote). The load starts on a timer so that the requests of the current
 * turn go out first.
 */
function lazySignaturePort(options: SignaturePortOptions): SignaturePort {
  let loaded: Promise<SignaturePort> | undefined;
  const port = () => (loaded ??= import('@relkit/sigstore-verify').then((m) => m.signaturePort(options)));
  setTimeout(() => void port().catch(() => undefined), 1).unref();
  return {
    verify: async (image, digest, policy, signal) => (await port()).verify(image, digest, policy, signal),
    signatureTags: async (image, digest, signal) =>
      (await port()).signatureTags?.(image, digest, signal) ?? [],
  };
}

/** The image side: one registry client (docker config / credential helpers) and the verifier on it. */
export function connectImages(
  config: ReleaseConfig,
  configPath: string,
  env: ConnectOptions['env'],
  /** The forge, when connected: its attestations API is read beside the registry's signatures. */
  forge?: GitHubForge,
): Pick<ReleasePorts, 'registry' | 'signatures'> {
  const configDir = dirname(configPath);
  const registry = new RegistryClient({
    credentials: defaultCredentials(env),
    insecureRegistries: config.registries.insecure,
    proxyEnv: env,
  });
  return {
    registry: registryPort(registry),
    signatures: lazySignaturePort({
      registry,
      resolvePath: (p) => (isAbsolute(p) ? p : resolve(configDir, p)),
      ...(forge
        ? {
            attestationsApi: {
              list: (digest: string, signal?: AbortSignal) =>
                forge.listAttestations(parseRepository(config.repository), digest, signal),
            },
          }
        : {}),
    }),
  };
}

export async function connectPorts(
  config: ReleaseConfig,
  configPath: string,
  options: ReleaseConnectOptions,
): Promise<ReleasePorts> {
  const roles = await connectGitHubRoles(options);
  const forge = roles.github;
  return {
    ...connectImages(config, configPath, options.env, forge),
    forge: forgePort(forge, {
      smokeForge: roles.smoke,
      repository: parseRepository(config.repository),
      requireApproval: config.requireApproval,
      lockBranch: config.baseBranch,
      ...(config.smoke
        ? { smoke: { repository: parseRepository(config.smoke.repository), rule: config.smoke.success } }
        : {}),
    }),
  };
}
