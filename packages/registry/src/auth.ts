import { holdSecret } from '@relkit/release-core/redact';
import { RegistryError } from './errors.js';

/** How to prove who we are to one registry. Never printed, never put in an error message. */
export type RegistryCredential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** Docker's `identitytoken`: an OAuth2 refresh token exchanged at the token service. */
  | { readonly kind: 'identity-token'; readonly token: string }
  /** A ready registry bearer token, sent as is (no token service round trip). */
  | { readonly kind: 'bearer'; readonly token: string };

/** Finds credentials for a registry host (e.g. "ghcr.io", "127.0.0.1:5000"); undefined = anonymous. */
export type CredentialProvider = (
  registry: string,
  signal?: AbortSignal,
) => Promise<RegistryCredential | undefined>;

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `Bearer realm="…",service="…",scope="a b",error="insufficient_scope"` (or Basic). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  // A name starts where a word starts (the lookbehind): tried at every position of a long word
  // instead, the search took quadratic time, and a 64 KiB challenge (what a pipelined answer's
  // head may hold) blocked the event loop for seconds, deadline timers included.
  const re = /(?<![\w-])([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*,?\s*/g;
  const text = m[2]!;
  for (let p = re.exec(text), after = 0; p; after = re.lastIndex, p = re.exec(text)) {
    // A bare word before a parameter starts the next challenge (`Bearer realm=…, Basic realm=…`,
    // or two header lines joined): its parameters are not this one's. Merged, the Basic realm
    // replaced the token service's URL and the login failed on a malformed realm.
    if (/^[A-Za-z][\w-]*\s+$/.test(text.slice(after, p.index))) break;
    params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

/** `repository:<name>:<actions>` */
export function repositoryScope(repository: string, actions: 'pull' | 'pull,push' | 'delete'): string {
  return `repository:${repository}:${actions}`;
}

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
}

interface RegistryAuthState {
  credential: Promise<RegistryCredential | undefined> | undefined;
  scheme: 'basic' | 'bearer' | undefined;
  realm: URL | undefined;
  service: string | undefined;
  readonly tokens: Map<string, CachedToken>;
  readonly inflight: Map<string, Promise<CachedToken>>;
}

/** Fetches JSON from a token service (retries and timeouts are the transport's business). */
export type TokenFetcher = (
  url: URL,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  signal: AbortSignal | undefined,
) => Promise<{ status: number; json: unknown }>;

/** Whether a cached token covers every scope in a space-separated list (pull,push also serves pull). */
function grants(token: CachedToken, scope: string): boolean {
  return scope
    .split(' ')
    .filter(Boolean)
    .every((one) => {
      if (token.scopes.includes(one)) return true;
      const [type, name, actions] = splitScope(one);
      return token.scopes.some((s) => {
        const [t, n, a] = splitScope(s);
        return t === type && n === name && actions.every((x) => a.includes(x));
      });
    });
}

function splitScope(scope: string): [string, string, string[]] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  return [scope.slice(0, first), scope.slice(first + 1, last), scope.slice(last + 1).split(',')];
}

const ANONYMOUS_HINT =
  'log in with `docker login`, set credentials in ~/.docker/config.json, or (for ghcr.io) set GITHUB_TOKEN';

/**
 * Per registry: which scheme it uses, and bearer tokens cached per scope. After the first
 * challenge from a registry, tokens for new scopes are fetched before the request, so a new
 * repository costs no 401 round trip.
 */
/**
 * What credentials may do on a repository, learned without a write: the scheme the registry
 * uses and, for token registries, the actions the token service grants (a JWT's `access` claim).
 */
export type RepositoryAccess =
  /** The registry asks for no credentials at all. */
  | { readonly scheme: 'none' }
  /** Basic auth: push rights show only at the first write. */
  | { readonly scheme: 'basic' }
  | {
      readonly scheme: 'bearer';
      /** How relkit authenticates: no credentials, a login, or a ready token (whose scope is opaque). */
      readonly credential: 'none' | RegistryCredential['kind'];
      /** Granted actions, or undefined when the token does not say (not a JWT, or a ready token). */
      readonly actions: readonly string[] | undefined;
    };

/** The actions a JWT registry token grants on a repository; undefined when it is no JWT with `access`. */
export function grantedActions(token: string, repository: string): string[] | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      access?: { type?: string; name?: string; actions?: string[] }[];
    };
    if (!Array.isArray(claims.access)) return undefined;
    return claims.access
      .filter((a) => a.type === 'repository' && a.name === repository)
      .flatMap((a) => a.actions ?? []);
  } catch {
    return undefined;
  }
}

export class Authenticator {
  private readonly states = new Map<string, RegistryAuthState>();

  constructor(
    private readonly provider: CredentialProvider | undefined,
    private readonly fetchToken: TokenFetcher,
    private readonly allowPlainHttp: (host: string) => boolean,
  ) {}

  private state(registry: string): RegistryAuthState {
    let s = this.states.get(registry);
    if (!s) {
      s = {
        credential: undefined,
        scheme: undefined,
        realm: undefined,
        service: undefined,
        tokens: new Map(),
        inflight: new Map(),
      };
      this.states.set(registry, s);
    }
    return s;
  }

  /** Credentials are looked up lazily: anonymous registries never run a credential helper. */
  private credential(registry: string, signal?: AbortSignal): Promise<RegistryCredential | undefined> {
    const s = this.state(registry);
    s.credential ??= this.provider
      ? this.provider(registry, signal).then(holdCredential)
      : Promise.resolve(undefined);
    return s.credential;
  }

  /** The Authorization header for a request, or undefined to go anonymous (and learn the challenge). */
  async header(
    registry: string,
    scope: string | undefined,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const s = this.state(registry);
    // Until the registry has challenged us we go anonymous: public pulls then cost no
    // credential lookup, and the challenge tells us which scheme to use.
    if (s.scheme === undefined) return undefined;
    const cred = await this.credential(registry, signal);
    if (cred?.kind === 'bearer') return `Bearer ${cred.token}`;
    if (s.scheme === 'basic') return cred?.kind === 'basic' ? basicHeader(cred) : undefined;
    const token = await this.token(registry, scope, signal);
    return `Bearer ${token.value}`;
  }

  /**
   * What the credentials may do on a repository (after a request taught the scheme): for token
   * registries a pull,push token is asked for and its grant read; nothing is written.
   */
  async access(registry: string, repository: string, signal?: AbortSignal): Promise<RepositoryAccess> {
    const s = this.state(registry);
    if (s.scheme === undefined) return { scheme: 'none' };
    if (s.scheme === 'basic') return { scheme: 'basic' };
    const cred = await this.credential(registry, signal);
    if (cred?.kind === 'bearer') return { scheme: 'bearer', credential: 'bearer', actions: undefined };
    const token = await this.token(registry, repositoryScope(repository, 'pull,push'), signal);
    return {
      scheme: 'bearer',
      credential: cred?.kind ?? 'none',
      actions: grantedActions(token.value, repository),
    };
  }

  /** Whether a fresh bearer token covering the scope is at hand: no token round trip needed. */
  hasToken(registry: string, scope: string): boolean {
    const s = this.states.get(registry);
    if (s?.scheme !== 'bearer') return false;
    const now = Date.now();
    for (const t of s.tokens.values()) if (t.expiresAt > now && grants(t, scope)) return true;
    return false;
  }

  /**
   * Starts getting what a later request for the scope will need, so that request does not wait
   * for the token service. Failures are left to that request, which asks again and reports.
   */
  prefetch(registry: string, scope: string, signal?: AbortSignal): void {
    this.header(registry, scope, signal).catch(() => undefined);
  }

  /**
   * Called on a 401. Records the scheme, drops the cached token for the scope, and tells the
   * caller whether a retry can succeed.
   */
  async challenged(
    registry: string,
    scope: string | undefined,
    header: string | null,
    sentCredentials: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    const s = this.state(registry);
    const ch = parseChallenge(header);
    const cred = await this.credential(registry, signal);
    if (cred?.kind === 'bearer' && s.scheme !== undefined && sentCredentials) {
      throw new RegistryError(
        'UNAUTHORIZED',
        `${registry} refused the configured bearer token; it may have expired`,
        {
          status: 401,
        },
      );
    }
    if (ch?.scheme === 'basic') {
      if (cred?.kind !== 'basic') {
        throw new RegistryError(
          'UNAUTHORIZED',
          `${registry} needs a username and password and none were found: ${ANONYMOUS_HINT}`,
          { status: 401 },
        );
      }
      if (s.scheme === 'basic' && sentCredentials) {
        throw new RegistryError('UNAUTHORIZED', `${registry} refused the username and password: check them`, {
          status: 401,
        });
      }
      s.scheme = 'basic';
      return;
    }
    if (ch?.scheme === 'bearer') {
      const realm = ch.params.realm;
      if (!realm) throw new RegistryError('PROTOCOL', `${registry} sent a Bearer challenge without a realm`);
      let url: URL;
      try {
        url = new URL(realm);
      } catch {
        throw new RegistryError('PROTOCOL', `${registry} sent a Bearer challenge with a malformed realm`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new RegistryError(
          'PROTOCOL',
          `${registry} points to a token service at a ${url.protocol} URL; relkit asks for tokens only over http(s)`,
        );
      }
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.allowPlainHttp(url.host))) {
        throw new RegistryError(
          'PROTOCOL',
          `${registry} points to a token service over plain HTTP (${url.origin}); relkit sends credentials only over HTTPS unless the host is loopback or marked insecure`,
        );
      }
      s.scheme = 'bearer';
      s.realm = url;
      s.service = ch.params.service;
      // Only a token that was actually refused is dropped; a request that raced the first
      // challenge went out anonymous and must not throw away the token fetched meanwhile.
      if (sentCredentials) this.invalidate(registry, scope);
      return;
    }
    if (cred === undefined && s.scheme === undefined) {
      throw new RegistryError('UNAUTHORIZED', `${registry} requires authentication: ${ANONYMOUS_HINT}`, {
        status: 401,
      });
    }
    throw new RegistryError('UNAUTHORIZED', `${registry} answered 401 without a usable challenge`, {
      status: 401,
    });
  }

  /** Whether the next request for this registry will carry credentials of any kind. */
  async hasCredentials(registry: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.credential(registry, signal)) !== undefined;
  }

  /** Forgets the token that was just refused, so the next request fetches a fresh one. */
  invalidate(registry: string, scope: string | undefined): void {
    const s = this.states.get(registry);
    if (!s || !scope) return;
    for (const [k, t] of s.tokens) if (grants(t, scope)) s.tokens.delete(k);
  }

  private async token(
    registry: string,
    scope: string | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const s = this.state(registry);
    const key = scope ?? '';
    const now = Date.now();
    for (const t of s.tokens.values()) {
      if (t.expiresAt > now && (scope === undefined ? t.scopes.length === 0 : grants(t, scope))) return t;
    }
    let p = s.inflight.get(key);
    if (!p) {
      p = this.requestToken(registry, s, scope, signal).finally(() => s.inflight.delete(key));
      s.inflight.set(key, p);
    }
    const t = await p;
    holdSecret(t.value);
    s.tokens.set(key, t);
    return t;
  }

  private async requestToken(
    registry: string,
    s: RegistryAuthState,
    scope: string | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const cred = await this.credential(registry, signal);
    const realm = new URL(s.realm!.href);
    const scopes = scope ? scope.split(' ').filter(Boolean) : [];
    let res: { status: number; json: unknown };
    if (cred?.kind === 'identity-token') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: cred.token,
        client_id: 'relkit',
      });
      if (s.service) form.set('service', s.service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      res = await this.fetchToken(
        realm,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        },
        signal,
      );
    } else {
      if (s.service) realm.searchParams.set('service', s.service);
      for (const sc of scopes) realm.searchParams.append('scope', sc);
      const headers: Record<string, string> = {};
      if (cred?.kind === 'basic') headers.authorization = basicHeader(cred);
      res = await this.fetchToken(realm, { method: 'GET', headers }, signal);
    }
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError(
        'UNAUTHORIZED',
        cred
          ? `login to ${registry} failed: its token service (${realm.origin}) refused the credentials; check them`
          : `${registry} gives no anonymous access: ${ANONYMOUS_HINT}`,
        { status: res.status },
      );
    }
    if (res.status < 200 || res.status > 299) {
      throw new RegistryError(
        res.status >= 500 ? 'UNAVAILABLE' : 'PROTOCOL',
        `the token service of ${registry} (${realm.origin}${realm.pathname}) answered ${res.status}`,
        { status: res.status },
      );
    }
    const body = res.json as { token?: unknown; access_token?: unknown; expires_in?: unknown } | null;
    const value =
      typeof body?.token === 'string' && body.token
        ? body.token
        : typeof body?.access_token === 'string'
          ? body.access_token
          : '';
    if (!value) throw new RegistryError('PROTOCOL', `the token service of ${registry} returned no token`);
    // A token goes into an Authorization header: one with CR/LF or other control characters
    // would inject header lines, and node refuses to send it, which looked like a network
    // failure and was retried with the same cached token. Refused here, once, by name.
    if (!/^[\x20-\x7e]+$/.test(value)) {
      throw new RegistryError(
        'PROTOCOL',
        `the token service of ${registry} (${realm.origin}${realm.pathname}) returned a token with characters that cannot go into a header`,
      );
    }
    // The token spec's default lifetime is 60 s; keep a margin so a token does not die in flight.
    const ttl = typeof body?.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { value, expiresAt: Date.now() + Math.max(5, ttl - 10) * 1000, scopes };
  }
}

/**
 * Every redactor in the process masks the credentials this client holds (and their base64
 * forms): a debug log (NODE_DEBUG=http, say) must not print a docker-config password.
 */
function holdCredential(cred: RegistryCredential | undefined): RegistryCredential | undefined {
  if (cred?.kind === 'basic') {
    holdSecret(cred.password);
    holdSecret(`${cred.username}:${cred.password}`);
  } else if (cred) holdSecret(cred.token);
  return cred;
}

function basicHeader(cred: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
}
