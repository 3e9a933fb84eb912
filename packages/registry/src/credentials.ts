import type { CredentialProvider, RegistryCredential } from './auth.js';
import { RegistryError } from './errors.js';

// Built-ins through getBuiltinModule, not `import`: no ESM facades at CLI start-up (http.ts);
// node:os only when a registry challenges and the docker config is looked for.
const { join } = process.getBuiltinModule('node:path');
const homedir = () => process.getBuiltinModule('node:os').homedir();

/** Docker keeps Docker Hub's credentials under its old index URL. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

interface DockerConfig {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }
  >;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The key a registry host has in config.json (and the ServerURL given to credential helpers). */
function dockerKey(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io'
    ? DOCKER_HUB_KEY
    : registry;
}

/** "https://ghcr.io/v2/" → "ghcr.io": config.json keys come in several spellings. */
function normaliseKey(key: string): string {
  if (key === DOCKER_HUB_KEY || /^(https?:\/\/)?index\.docker\.io(\/|$)/.test(key)) return DOCKER_HUB_KEY;
  return key
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

export interface DockerConfigOptions {
  /** The config.json to read. Default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
  readonly configPath?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Kill a credential helper that takes longer than this. Default 10 s. */
  readonly helperTimeoutMs?: number;
}

export function dockerConfigPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');
}

/**
 * Credentials the way `docker login` stores them: `credHelpers[host]`, else `credsStore`,
 * run through the docker-credential-* helper protocol; else the `auths` entry. A missing
 * config file means anonymous. The file is read once, on first use.
 */
export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialProvider {
  const env = options.env ?? process.env;
  const path = options.configPath ?? dockerConfigPath(env);
  let config: Promise<DockerConfig | undefined> | undefined;
  const load = () => {
    // fs/promises is loaded here, on the first challenge: anonymous registries never need it.
    config ??= process
      .getBuiltinModule('node:fs/promises')
      .readFile(path, 'utf8')
      .then(
        (text) => {
          try {
            return JSON.parse(text) as DockerConfig;
          } catch {
            throw new RegistryError('CREDENTIALS', `${path} is not valid JSON; fix or remove it`);
          }
        },
        (e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') return undefined;
          throw new RegistryError('CREDENTIALS', `cannot read ${path} (${e.code ?? e.message})`);
        },
      );
    return config;
  };
  return async (registry, signal) => {
    const cfg = await load();
    if (!cfg) return undefined;
    const key = dockerKey(registry);
    const helper =
      Object.entries(cfg.credHelpers ?? {}).find(([k]) => normaliseKey(k) === normaliseKey(key))?.[1] ??
      cfg.credsStore;
    if (helper)
      return runCredentialHelper(helper, key, { env, timeoutMs: options.helperTimeoutMs ?? 10_000, signal });
    const entry = Object.entries(cfg.auths ?? {}).find(([k]) => normaliseKey(k) === normaliseKey(key))?.[1];
    if (!entry) return undefined;
    if (entry.registrytoken) return { kind: 'bearer', token: entry.registrytoken };
    if (entry.identitytoken) return { kind: 'identity-token', token: entry.identitytoken };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0)
        throw new RegistryError(
          'CREDENTIALS',
          `${path}: the "auth" entry for ${registry} is not base64 of user:password`,
        );
      return { kind: 'basic', username: decoded.slice(0, i), password: decoded.slice(i + 1) };
    }
    if (entry.username !== undefined && entry.password !== undefined) {
      return { kind: 'basic', username: entry.username, password: entry.password };
    }
    return undefined;
  };
}

/**
 * Runs `docker-credential-<helper> get` with the server URL on stdin (the docker credential
 * helper protocol). "credentials not found" means anonymous; any other failure is an error
 * that names the helper, never the secret.
 */
export function runCredentialHelper(
  helper: string,
  serverUrl: string,
  options: {
    env?: Readonly<Record<string, string | undefined>>;
    timeoutMs?: number;
    signal?: AbortSignal | undefined;
  } = {},
): Promise<RegistryCredential | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    return Promise.reject(
      new RegistryError('CREDENTIALS', `"${helper}" is not a valid credential helper name`),
    );
  }
  const program = `docker-credential-${helper}`;
  // child_process is loaded only when a helper is configured: most runs never need it.
  return import('node:child_process').then(
    ({ spawn }) =>
      new Promise((resolve, reject) => {
        const child = spawn(program, ['get'], {
          env: { ...(options.env ?? process.env) } as NodeJS.ProcessEnv,
          stdio: ['pipe', 'pipe', 'pipe'],
          timeout: options.timeoutMs ?? 10_000,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
        });
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
        });
        child.on('error', (e: NodeJS.ErrnoException) => {
          reject(
            new RegistryError(
              'CREDENTIALS',
              e.code === 'ENOENT'
                ? `the credential helper ${program} named in the docker config is not on PATH; install it or remove it from config.json`
                : `the credential helper ${program} could not run (${e.code ?? e.message})`,
            ),
          );
        });
        child.on('close', (code, signal) => {
          const said = `${out}\n${err}`;
          if (code !== 0) {
            if (/credentials not found/i.test(said)) resolve(undefined);
            else
              reject(
                new RegistryError(
                  'CREDENTIALS',
                  `the credential helper ${program} failed for ${serverUrl} (${signal ? `killed by ${signal}` : `exit ${code}`})`,
                ),
              );
            return;
          }
          try {
            const body = JSON.parse(out) as { Username?: unknown; Secret?: unknown };
            if (typeof body.Secret !== 'string' || body.Secret === '') {
              resolve(undefined);
              return;
            }
            const username = typeof body.Username === 'string' ? body.Username : '';
            // Docker's convention: the user "<token>" marks an identity token.
            resolve(
              username === '<token>'
                ? { kind: 'identity-token', token: body.Secret }
                : { kind: 'basic', username, password: body.Secret },
            );
          } catch {
            reject(
              new RegistryError(
                'CREDENTIALS',
                `the credential helper ${program} printed something that is not JSON`,
              ),
            );
          }
        });
        child.stdin.end(serverUrl);
      }),
  );
}

/**
 * Credentials from the environment: RELKIT_REGISTRY_USERNAME/RELKIT_REGISTRY_PASSWORD for the
 * hosts listed in RELKIT_REGISTRY_HOSTS (comma-separated; all hosts when unset), and for
 * ghcr.io a GitHub token (GITHUB_TOKEN or GH_TOKEN, user GITHUB_ACTOR), as in GitHub Actions.
 */
export function envCredentials(
  env: Readonly<Record<string, string | undefined>> = process.env,
): CredentialProvider {
  return async (registry) => {
    const user = env.RELKIT_REGISTRY_USERNAME;
    const pass = env.RELKIT_REGISTRY_PASSWORD;
    const hosts = (env.RELKIT_REGISTRY_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    if (user && pass && (hosts.length === 0 || hosts.includes(registry.toLowerCase()))) {
      return { kind: 'basic', username: user, password: pass };
    }
    const gh = env.GITHUB_TOKEN ?? env.GH_TOKEN;
    if (registry === 'ghcr.io' && gh) {
      // ghcr.io's token service takes any non-empty user name with a GitHub token as password.
      return { kind: 'basic', username: env.GITHUB_ACTOR || 'relkit', password: gh };
    }
    return undefined;
  };
}

/** Fixed credentials for one registry host (e.g. from command-line flags). */
export function staticCredentials(registry: string, credential: RegistryCredential): CredentialProvider {
  return async (host) => (host.toLowerCase() === registry.toLowerCase() ? credential : undefined);
}

/** The first provider that has credentials for a host wins. */
export function chainCredentials(...providers: readonly CredentialProvider[]): CredentialProvider {
  return async (registry, signal) => {
    for (const p of providers) {
      const c = await p(registry, signal);
      if (c) return c;
    }
    return undefined;
  };
}

/** What release-cli uses: the environment first (explicit), then the docker config. */
export function defaultCredentials(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: Omit<DockerConfigOptions, 'env'> = {},
): CredentialProvider {
  return chainCredentials(envCredentials(env), dockerConfigCredentials({ ...options, env }));
}
