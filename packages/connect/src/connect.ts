import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  ReleaseError,
  createCleanupService,
  createReleaseService,
  type CleanupService,
  parseConfigText,
  type ReleaseConfig,
  type ReleasePorts,
  type ReleaseService,
  type SignaturePort,
} from '@relkit/release-core';
import {
  GitHubError,
  GitHubForge,
  branchPort,
  checkApiUrl,
  forgePort,
  packagesPort,
  parseRepository,
} from '@relkit/github';
import { RegistryClient, defaultCredentials, registryPort } from '@relkit/registry';
import type { SignaturePortOptions } from '@relkit/sigstore-verify';
import type { ConnectOptions, ReleaseConnectOptions } from './options.js';
import { requestOnTheWire } from './on-the-wire.js';
import { resolveRoleTokens, type RoleTokens } from './role-tokens.js';

// Not `import … from 'node:fs'`: node:fs's ESM facade reads every export, its lazy streams
// among them (~2 ms of a promote's start-up, before its first request).
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');

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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    // Node's own message ("EISDIR: illegal operation on a directory, read") names no file.
    const code = (e as NodeJS.ErrnoException).code;
    throw new ReleaseError(
      'INVALID_CONFIG',
      code === 'EISDIR'
        ? `${path} is a directory, not a config file; pass the file with --config`
        : `${path}: cannot read the config (${code ?? (e as Error).message})`,
      { cause: e },
    );
  }
  return { config: parseConfigText(text, path), path };
}

/** The deadline of a network operation when neither the front end nor RELKIT_TIMEOUT says. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/**
 * The deadline of every network operation, in ms: the front end's (e.g. --timeout), else
 * RELKIT_TIMEOUT (seconds), else 60 s. A RELKIT_TIMEOUT that is not a positive number is refused.
 */
export function networkTimeoutMs(options: Pick<ConnectOptions, 'env' | 'timeoutMs'>): number {
  if (options.timeoutMs !== undefined) return options.timeoutMs;
  const raw = options.env.RELKIT_TIMEOUT?.trim();
  if (!raw) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0)
    throw new ReleaseError(
      'INVALID_CONFIG',
      `RELKIT_TIMEOUT takes seconds (a positive number), not "${raw}"`,
    );
  return Math.round(s * 1000);
}

/**
 * The GitHub REST root (RELKIT_GITHUB_API_URL, GITHUB_API_URL, else api.github.com), refused
 * before any token is looked up when it does not parse or carries credentials.
 */
export function gitHubApiUrl(env: ConnectOptions['env']): string {
  const name = env.RELKIT_GITHUB_API_URL !== undefined ? 'RELKIT_GITHUB_API_URL' : 'GITHUB_API_URL';
  const baseUrl = env.RELKIT_GITHUB_API_URL ?? env.GITHUB_API_URL ?? 'https://api.github.com';
  try {
    checkApiUrl(baseUrl);
  } catch (e) {
    if (!(e instanceof GitHubError)) throw e;
    throw new ReleaseError('INVALID_CONFIG', `${name}: ${e.message}; ${e.advice ?? ''}`.replace(/; $/, ''));
  }
  return baseUrl;
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

/**
 * The RC clean-up (release-cli cleanup): the same ports as connectRelease, the GitHub Packages
 * API among them for ghcr.io images.
 */
export async function connectCleanup(options: ReleaseConnectOptions): Promise<CleanupService> {
  const { config, path } = loadConfig(options.cwd, options.configPath);
  return createCleanupService(config, await connectPorts(config, path, options));
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
  /**
   * The GitHub Packages API (RC clean-up on ghcr.io): the token that pushes to ghcr.io, which can
   * delete its versions — RELKIT_REGISTRY_PASSWORD, else GITHUB_TOKEN (the workflow's token; an
   * App installation token cannot write organization-owned GHCR packages), else github's.
   */
  readonly packages: GitHubForge;
  /** How `packages`' token is named in a refusal. */
  readonly packagesTokenName: string;
  /** Each role's token and where it came from (the doctor names the variable, never the token). */
  readonly tokens: RoleTokens;
}

/**
 * The GitHub clients by token role: github from the front end's token, else RELKIT_GITHUB_TOKEN,
 * else the way gh finds one (GH_TOKEN / GITHUB_TOKEN / gh's hosts.yml); commit from
 * RELKIT_COMMIT_TOKEN, else github's; smoke from RELKIT_SMOKE_TOKEN, else commit's (see
 * resolveRoleTokens). One client per distinct token. GHES through the API URL.
 */
export async function connectGitHubRoles(options: ReleaseConnectOptions): Promise<GitHubRoles> {
  const env = options.env;
  // GitHub Enterprise Server: https://HOST/api/v3 (GITHUB_API_URL is set inside GitHub Actions).
  const baseUrl = gitHubApiUrl(env);
  const timeoutMs = networkTimeoutMs(options);
  const tokens = await resolveRoleTokens(options, baseUrl);
  const forges = new Map<string, GitHubForge>();
  const forgeFor = (token: string) => {
    let f = forges.get(token);
    if (!f)
      forges.set(
        token,
        (f = new GitHubForge({
          token,
          baseUrl,
          timeoutMs,
          // GitHub asks for a second between writes; a local simulator needs no pacing.
          ...(isLoopbackUrl(baseUrl) ? { writeSpacingMs: 0, pollIntervalMs: 50, retryBaseMs: 50 } : {}),
        })),
      );
    return f;
  };
  return {
    github: forgeFor(tokens.github.token),
    commit: forgeFor(tokens.commit.token),
    smoke: forgeFor(tokens.smoke.token),
    packages: forgeFor(tokens.packages.token),
    packagesTokenName: tokens.packagesTokenName,
    tokens,
  };
}

/**
 * The signature port, its module (@relkit/sigstore-verify with @sigstore/*, the largest part of
 * the promote path's code) loaded in the background: a verification starts only once the
 * registry has answered a few round trips, so loading it meanwhile keeps it off the first
 * requests (bench: promote). The load starts once the first request is on the wire (a promote's
 * lock read), so it fills that round trip instead of holding the request back; a verification
 * that comes first loads it itself.
 */
function lazySignaturePort(options: SignaturePortOptions): SignaturePort {
  let loaded: Promise<SignaturePort> | undefined;
  const port = () => (loaded ??= import('@relkit/sigstore-verify').then((m) => m.signaturePort(options)));
  void requestOnTheWire().then(() => port().catch(() => undefined));
  return {
    prepare(policy) {
      port().then(
        (p) => p.prepare?.(policy),
        () => undefined,
      );
    },
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
  /** The deadline of each registry operation (see networkTimeoutMs); default from env or 60 s. */
  timeoutMs: number = networkTimeoutMs({ env }),
): Pick<ReleasePorts, 'registry' | 'signatures'> {
  const configDir = dirname(configPath);
  const registry = new RegistryClient({
    credentials: defaultCredentials(env),
    insecureRegistries: config.registries.insecure,
    proxyEnv: env,
    deadlineMs: timeoutMs,
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
  // The release lock's id comes from Web Crypto (core's engine/lock.ts), which loads on first
  // use: loaded while the first request (the lock read) is on the wire, it is ready for the write.
  void requestOnTheWire().then(() => globalThis.crypto);
  return {
    ...connectImages(config, configPath, options.env, forge, networkTimeoutMs(options)),
    forge: forgePort(forge, {
      smokeForge: roles.smoke,
      repository: parseRepository(config.repository),
      requireApproval: config.requireApproval,
      ...(config.smoke
        ? { smoke: { repository: parseRepository(config.smoke.repository), rule: config.smoke.success } }
        : {}),
    }),
    packages: packagesPort(roles.packages, { tokenName: roles.packagesTokenName }),
    // Gitflow: promote brings the integration branch up to date (ref writes with the commit token).
    branches: branchPort(forge, config, { commit: roles.commit }),
  };
}
