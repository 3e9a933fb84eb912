import type { Readable } from 'node:stream';
import { redactor } from '@relkit/release-core/redact';
import { Authenticator, parseChallenge, type CredentialProvider, type RepositoryAccess } from './auth.js';
import { Budget, DEFAULT_DEADLINE_MS, deadlineReached, seconds } from './deadline.js';
import { RegistryError, type RegistryErrorCode } from './errors.js';
import { HttpConnections, type HttpAnswer } from './http.js';
import {
  Semaphore,
  abortedError,
  backoffMs,
  discard,
  parseRetryAfter,
  readBodyLimited,
  sleep,
} from './limits.js';
import { isLoopbackRegistry } from './reference.js';

export interface TransportOptions {
  readonly credentials?: CredentialProvider;
  /** Hosts (host[:port]) reached over plain HTTP; loopback hosts always are. */
  readonly insecureRegistries?: readonly string[];
  /**
   * Per attempt, headers and body included. Default 30 s, and never more than what is left of
   * the operation's deadline.
   */
  readonly timeoutMs?: number;
  /**
   * The overall deadline of one operation (a request with its token exchange, retries, backoff
   * and redirects): a registry that accepts connections and never answers fails within it with a
   * TIMEOUT naming the host. Default 60 s; a request whose own timeoutMs is longer (a large blob
   * upload) gets that long.
   */
  readonly deadlineMs?: number;
  /** Retries after the first attempt for 429, 502, 503, 504, resets and timeouts. Default 4. */
  readonly retries?: number;
  /** A Retry-After above this makes the client give up at once with RATE_LIMITED. Default 60 s. */
  readonly maxRetryAfterMs?: number;
  /** Backoff base when the registry gives no Retry-After. Default 200 ms (then 400, 800, … ±jitter). */
  readonly backoffBaseMs?: number;
  /** Concurrent exchanges per registry host. Default 8. */
  readonly concurrencyPerHost?: number;
  readonly userAgent?: string;
  /**
   * Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read (either case); default process.env,
   * false for never a proxy. Loopback hosts are never proxied.
   */
  readonly proxyEnv?: Readonly<Record<string, string | undefined>> | false;
}

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';

export interface RegistryRequest {
  readonly method: HttpMethod;
  /** host[:port] of the registry: selects scheme, credentials and the concurrency slot. */
  readonly registry: string;
  /** A path under the registry (`/v2/...`), or an absolute URL on it (upload sessions). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes (re-sent on retries) or a stream (sent once: no retries, no re-authentication). */
  readonly body?: Uint8Array | Readable;
  /** Token scope(s), space-separated: `repository:acme/app:pull`. */
  readonly scope?: string;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  /** A short manifest request that may be pipelined behind others (HttpCall.pipeline). */
  readonly pipeline?: boolean | undefined;
  /**
   * Called once the request is written on a connection that takes pipelined requests: one of
   * them sent now goes right behind it, in the same round trip.
   */
  readonly onPipelining?: (() => void) | undefined;
}

/** Counts of what went over the wire; for benchmarks and for callers that report cost. */
export interface TransportStats {
  requests: number;
  tokenRequests: number;
  retries: number;
  authChallenges: number;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** A failure while talking that may clear up on its own: worth another attempt. */
class Retryable extends Error {
  constructor(
    readonly error: RegistryError,
    readonly waitMs: number | undefined,
  ) {
    super(error.message);
  }
}

/**
 * One HTTP exchange with a registry, done properly: scheme selection (HTTPS unless loopback or
 * marked insecure), the Basic/Bearer challenge flow with one re-authentication on 401, retries
 * with jittered backoff that honour Retry-After, a timeout per attempt, a concurrency limit per
 * host, and redirects followed by hand so Authorization never leaves the registry's origin.
 */
export class Transport {
  readonly stats: TransportStats = { requests: 0, tokenRequests: 0, retries: 0, authChallenges: 0 };
  private readonly auth: Authenticator;
  private readonly connections: HttpConnections;
  private readonly slots = new Map<string, Semaphore>();
  private readonly insecure: ReadonlySet<string>;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly retries: number;
  private readonly maxRetryAfterMs: number;
  private readonly backoffBaseMs: number;
  private readonly concurrency: number;
  private readonly userAgent: string;

  constructor(options: TransportOptions = {}) {
    this.insecure = new Set((options.insecureRegistries ?? []).map((h) => h.toLowerCase()));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.retries = options.retries ?? 4;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 200;
    this.concurrency = options.concurrencyPerHost ?? 8;
    this.userAgent = options.userAgent ?? 'relkit-registry/0.1';
    this.connections = new HttpConnections(this.concurrency, options.proxyEnv ?? process.env);
    this.auth = new Authenticator(
      options.credentials,
      (url, init, signal) => this.tokenExchange(url, init, signal),
      (host) => this.plainHttpAllowed(host),
    );
  }

  /** Whether requests for the scope can go at once, with a token already at hand. */
  hasToken(registry: string, scope: string): boolean {
    return this.auth.hasToken(registry, scope);
  }

  /** Fetches the token a later request for the scope needs, alongside the requests before it. */
  prefetchToken(registry: string, scope: string, signal?: AbortSignal): void {
    // Within a deadline of its own: the request that later needs the token waits for this one.
    const budget = new Budget(this.deadlineMs, registry, `a token for ${scopeName(scope)}`, signal);
    this.auth.prefetch(registry, scope, budget.signal);
  }

  /** What the credentials may do on a repository; a ping of /v2/ first teaches the scheme. */
  async access(registry: string, repository: string, signal?: AbortSignal): Promise<RepositoryAccess> {
    await this.send({ method: 'GET', registry, path: '/v2/', signal }, (res) => discard(res));
    const budget = new Budget(this.deadlineMs, registry, `a pull,push token for ${repository}`, signal);
    try {
      return await this.auth.access(registry, repository, budget.signal);
    } finally {
      budget.end();
    }
  }

  plainHttpAllowed(host: string): boolean {
    return isLoopbackRegistry(host) || this.insecure.has(host.toLowerCase());
  }

  /** The base URL of a registry host. Docker Hub's API lives at registry-1.docker.io. */
  baseUrl(registry: string): string {
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    return `${this.plainHttpAllowed(registry) ? 'http' : 'https'}://${host}`;
  }

  /**
   * Sends a request and hands the final response (any status except the ones handled here:
   * 401 once, and 429/502/503/504 while retries last) to `handle`, inside the concurrency slot
   * and the timeout. Errors thrown by `handle` that are not RegistryErrors (a connection reset
   * while reading the body) are retried like network errors.
   */
  async send<T>(req: RegistryRequest, handle: (res: HttpAnswer, url: URL) => Promise<T>): Promise<T> {
    const url = this.resolveUrl(req);
    // One deadline for the whole operation: every attempt, token exchange and backoff within it.
    const budget = new Budget(
      Math.max(this.deadlineMs, req.timeoutMs ?? 0),
      req.registry,
      describeRequest(req, url),
      req.signal,
    );
    try {
      return await this.sendWithin({ ...req, signal: budget.signal }, url, budget, handle);
    } finally {
      budget.end();
    }
  }

  private async sendWithin<T>(
    req: RegistryRequest,
    url: URL,
    budget: Budget,
    handle: (res: HttpAnswer, url: URL) => Promise<T>,
  ): Promise<T> {
    const once = req.body !== undefined && !(req.body instanceof Uint8Array);
    // A stream can be sent only once: no second attempt, and no re-authentication round.
    let authRetried = once;
    let attempt = 0;
    for (;;) {
      if (req.signal?.aborted) throw abortedError(req.signal);
      try {
        const authorization = await this.auth.header(req.registry, req.scope, req.signal);
        // Each attempt's timeout shrinks to what is left of the deadline.
        const within = { ...req, timeoutMs: budget.attemptMs(req.timeoutMs ?? this.timeoutMs) };
        const outcome = await this.slot(req.registry).run(() =>
          this.attempt(within, url, authorization, async (res, finalUrl) => {
            // A 401 from the host a redirect led to (blob storage) is not the registry's
            // challenge: taken for one, its realm became the registry's token service and the
            // registry login was sent there. Refused as is, without credentials or a retry.
            if (res.status === 401 && finalUrl.origin !== url.origin) {
              await discard(res);
              throw new RegistryError(
                'UNAUTHORIZED',
                `${describeRequest(req, finalUrl)}: ${finalUrl.host}, where ${req.registry} redirected the request, answered 401; relkit sends no registry credentials to another host`,
                { status: 401 },
              );
            }
            if (res.status === 401 && !authRetried) {
              const challenge = res.headers.get('www-authenticate');
              await discard(res);
              return { done: false, reauth: challenge, sent: authorization !== undefined } as const;
            }
            if (res.status === 401) throw await this.unauthorized(req, res);
            if (RETRY_STATUSES.has(res.status)) {
              const err = await errorFromResponse(res, req, describeRequest(req, finalUrl));
              throw new Retryable(err, err.retryAfterMs);
            }
            return { done: true, value: await handle(res, finalUrl) } as const;
          }),
        );
        if (outcome.done) return outcome.value;
        authRetried = true;
        this.stats.authChallenges++;
        await this.auth.challenged(req.registry, req.scope, outcome.reauth, outcome.sent, req.signal);
      } catch (e) {
        if (!(e instanceof Retryable)) throw e;
        // An attempt cut short by what was left of the deadline: the deadline is what ran out.
        if (e.error.code === 'TIMEOUT' && budget.remainingMs() < 100) throw budget.error;
        if (attempt >= this.retries || once) throw e.error;
        let wait = backoffMs(attempt, this.backoffBaseMs, 10_000);
        if (e.waitMs !== undefined) {
          if (e.waitMs > this.maxRetryAfterMs) throw e.error;
          // Honour the registry's wait, plus a little jitter so parallel clients do not stampede.
          wait = e.waitMs + Math.round(Math.random() * Math.min(250, e.waitMs * 0.1 + 50));
        }
        // No retry once the deadline is spent (or would be, before the next attempt starts).
        if (wait >= budget.remainingMs()) throw e.error;
        attempt++;
        this.stats.retries++;
        await sleep(wait, req.signal);
      }
    }
  }

  private resolveUrl(req: RegistryRequest): URL {
    const base = this.baseUrl(req.registry);
    const url = new URL(req.path, `${base}/`);
    const expectedHost = new URL(base).host;
    // Upload Locations are followed only on the registry itself: credentials go nowhere else.
    if (url.host !== expectedHost) {
      throw new RegistryError(
        'PROTOCOL',
        `${req.registry} pointed a follow-up request (an upload, a next page) to another host (${url.host}); relkit does not follow that`,
      );
    }
    if (url.protocol === 'http:' && !this.plainHttpAllowed(req.registry)) url.protocol = 'https:';
    return url;
  }

  private slot(registry: string): Semaphore {
    let s = this.slots.get(registry);
    if (!s) {
      s = new Semaphore(this.concurrency);
      this.slots.set(registry, s);
    }
    return s;
  }

  /** One attempt: an exchange with a timeout, following redirects by hand, then the handler. */
  private async attempt<T>(
    req: RegistryRequest,
    start: URL,
    authorization: string | undefined,
    handle: (res: HttpAnswer, url: URL) => Promise<T>,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(req.timeoutMs ?? this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    let url = start;
    let method: HttpMethod = req.method;
    let body = req.body;
    let auth = authorization;
    try {
      for (let hop = 0; ; hop++) {
        const headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers };
        if (auth) headers.authorization = auth;
        this.stats.requests++;
        const res = await this.connections.exchange(url, {
          method,
          headers,
          body,
          signal,
          pipeline: req.pipeline,
          onPipelining: req.onPipelining,
        });
        if (REDIRECT_STATUSES.has(res.status) && res.headers.get('location')) {
          await discard(res);
          if (hop >= MAX_REDIRECTS)
            throw new RegistryError('PROTOCOL', `${describeRequest(req, url)}: too many redirects`);
          const next = this.redirectTarget(url, res.headers.get('location')!, describeRequest(req, url));
          // Blob storage (S3, GCS, a CDN) gets presigned URLs, never the registry's credentials.
          if (next.origin !== url.origin) auth = undefined;
          if (res.status === 303) {
            method = 'GET';
            body = undefined;
          }
          url = next;
          continue;
        }
        return await handle(res, url);
      }
    } catch (e) {
      if (e instanceof RegistryError || e instanceof Retryable) throw e;
      if (req.signal?.aborted) throw abortedError(req.signal);
      if (timeout.aborted) {
        throw new Retryable(
          new RegistryError(
            'TIMEOUT',
            `${describeRequest(req, url)}: no complete answer within ${seconds(req.timeoutMs ?? this.timeoutMs)}`,
            { cause: e },
          ),
          undefined,
        );
      }
      throw this.networkError(req, url, e);
    }
  }

  /** Where a redirect leads, refused when it would leave HTTPS for a host that must have it. */
  private redirectTarget(from: URL, location: string, what: string): URL {
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      // Not a network failure worth retrying: the registry sent a Location that is no URL.
      throw new RegistryError('PROTOCOL', `${what} redirected to a malformed Location`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new RegistryError(
        'PROTOCOL',
        `${what} redirected to a ${next.protocol} URL; relkit follows only http(s)`,
      );
    }
    // A registry elsewhere has no business sending relkit to this machine: followed, a redirect
    // to loopback (plain HTTP is allowed there) would make relkit a probe of local services.
    if (isLoopbackRegistry(next.host) && !isLoopbackRegistry(from.host)) {
      throw new RegistryError(
        'PROTOCOL',
        `${what} redirected from ${from.host} to this machine (${next.host}); relkit does not follow a remote host to loopback`,
      );
    }
    if (next.protocol !== 'https:' && !(next.protocol === 'http:' && this.plainHttpAllowed(next.host))) {
      throw new RegistryError(
        'PROTOCOL',
        `${what} redirected to plain HTTP on ${next.host}; relkit refuses unencrypted downloads from hosts that are not loopback or marked insecure`,
      );
    }
    return next;
  }

  private networkError(req: RegistryRequest, url: URL, e: unknown): Retryable | RegistryError {
    const code = errorCode(e);
    const detail = code || (e instanceof Error ? e.message : String(e));
    if (code === 'ENOTFOUND') {
      return new RegistryError(
        'NETWORK',
        `${describeRequest(req, url)}: the host ${url.hostname} does not resolve`,
        {
          cause: e,
        },
      );
    }
    // Certificate problems and handshake failures are not transient: no retry, and a hint.
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/i.test(code)) {
      return new RegistryError(
        'NETWORK',
        `${describeRequest(req, url)}: the certificate of ${url.host} is not trusted (${code}). ` +
          `If the registry uses a private CA, trust it with NODE_EXTRA_CA_CERTS=<ca.pem>; relkit never skips certificate checks.`,
        { cause: e },
      );
    }
    if (/SSL|TLS|EPROTO/i.test(code)) {
      const why = e instanceof Error ? e.message.split('\n')[0] : code;
      return new RegistryError(
        'NETWORK',
        `${describeRequest(req, url)}: the TLS handshake failed (${code}: ${why}). ` +
          `If ${req.registry} speaks plain HTTP, mark it insecure (--insecure).`,
        { cause: e },
      );
    }
    return new Retryable(
      new RegistryError('NETWORK', `${describeRequest(req, url)}: the connection failed (${detail})`, {
        cause: e,
      }),
      undefined,
    );
  }

  private async unauthorized(req: RegistryRequest, res: HttpAnswer): Promise<RegistryError> {
    const ch = parseChallenge(res.headers.get('www-authenticate'));
    await discard(res);
    const push = req.method !== 'GET' && req.method !== 'HEAD';
    if (ch?.params.error === 'insufficient_scope') {
      const who = (await this.auth.hasCredentials(req.registry, req.signal))
        ? 'the credentials in use'
        : 'anonymous access';
      return new RegistryError(
        'DENIED',
        `${req.registry}: ${who} may not ${push ? 'push to' : 'read'} ${scopeName(req.scope)}` +
          `${push ? ' (read-only token? for ghcr.io the token needs write:packages and access to the package)' : ''}`,
        { status: 401, registryCode: 'insufficient_scope' },
      );
    }
    return new RegistryError(
      'UNAUTHORIZED',
      `${req.registry} refused the credentials for ${scopeName(req.scope)} even after a fresh login`,
      { status: 401 },
    );
  }

  /**
   * GET/POST to a token service: the same retry policy and redirect rules, no registry auth;
   * credentials for the token service do not follow a redirect to another origin.
   */
  private async tokenExchange(
    url: URL,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; json: unknown }> {
    const what = `the token service ${url.origin}${url.pathname}`;
    const body = init.body === undefined ? undefined : new TextEncoder().encode(init.body);
    let attempt = 0;
    for (;;) {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const s = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let waitMs: number | undefined;
      let failure: RegistryError;
      try {
        this.stats.tokenRequests++;
        const { status, retryAfter, bytes } = await this.slot(url.host).run(async () => {
          let at = url;
          let headers = { 'user-agent': this.userAgent, accept: 'application/json', ...init.headers };
          let method: string = init.method;
          let form = body;
          for (let hop = 0; ; hop++) {
            const res = await this.connections.exchange(at, { method, headers, body: form, signal: s });
            if (REDIRECT_STATUSES.has(res.status) && res.headers.get('location') && hop < MAX_REDIRECTS) {
              await discard(res);
              const next = this.redirectTarget(at, res.headers.get('location')!, `${init.method} ${what}`);
              // As fetch does: 303, and 301/302 after a POST, continue as a GET without the form.
              if (res.status === 303 || (method === 'POST' && (res.status === 301 || res.status === 302))) {
                method = 'GET';
                form = undefined;
              }
              if (next.origin !== at.origin) {
                headers = { 'user-agent': this.userAgent, accept: 'application/json' };
                // A 307/308 keeps the form, and the form holds the refresh token (a login):
                // re-posted, it went to whatever host the redirect named.
                if (form) {
                  throw new RegistryError(
                    'PROTOCOL',
                    `${init.method} ${what} redirected the login to another host (${next.host}); relkit sends the refresh token only to the token service the registry named`,
                  );
                }
              }
              at = next;
              continue;
            }
            return {
              status: res.status,
              retryAfter: res.headers.get('retry-after'),
              bytes: await readBodyLimited(res, 1 << 20, `the answer of ${what}`),
            };
          }
        });
        if (!RETRY_STATUSES.has(status)) {
          let json: unknown = null;
          try {
            json = JSON.parse(new TextDecoder().decode(bytes));
          } catch {
            json = null;
          }
          return { status, json };
        }
        waitMs = parseRetryAfter(retryAfter);
        failure = new RegistryError(
          status === 429 ? 'RATE_LIMITED' : 'UNAVAILABLE',
          `${what} answered ${status}${status === 429 ? ' (rate limited)' : ''}; try again later`,
          { status, ...(waitMs !== undefined ? { retryAfterMs: waitMs } : {}) },
        );
      } catch (e) {
        if (e instanceof RegistryError) throw e;
        // The operation's deadline ran out while the token service kept it waiting: name that.
        const late = deadlineReached(signal, url.host);
        if (late) throw late;
        if (signal?.aborted) throw abortedError(signal);
        failure = new RegistryError(
          timeout.aborted ? 'TIMEOUT' : 'NETWORK',
          `${what} could not be reached (${errorCode(e) || (e as Error).message})`,
          { cause: e },
        );
      }
      if (attempt >= this.retries || (waitMs !== undefined && waitMs > this.maxRetryAfterMs)) throw failure;
      attempt++;
      this.stats.retries++;
      await sleep(waitMs ?? backoffMs(attempt, this.backoffBaseMs, 10_000), signal);
    }
  }
}

/** The system or TLS error code of a failed exchange (ECONNRESET, CERT_HAS_EXPIRED, …), or ''. */
function errorCode(e: unknown): string {
  const own = (e as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (e as { cause?: { code?: unknown } }).cause?.code;
  return typeof cause === 'string' ? cause : '';
}

function scopeName(scope: string | undefined): string {
  if (!scope) return 'the registry';
  return scope
    .split(' ')
    .map((s) => s.split(':')[1] ?? s)
    .join(', ');
}

/** "GET ghcr.io/v2/acme/app/manifests/1.2.3" — origin and path only: query strings may hold signatures. */
export function describeRequest(req: { method: string; registry: string }, url: URL): string {
  return `${req.method} ${url.host}${url.pathname}`;
}

/**
 * What a registry said goes into the error message, and a hostile or misconfigured registry
 * echoes the request back (`Authorization: Basic …`, the bearer token its token service issued,
 * the password): masked with every secret this process holds (the credentials and tokens
 * auth.ts registered) and credential shapes, so RegistryError messages hold no credentials
 * whoever prints them.
 */
const maskHeld = redactor(() => []);

interface RegistryErrorBody {
  errors?: { code?: unknown; message?: unknown; detail?: unknown }[];
}

/** Maps an unsuccessful response to a RegistryError whose code says "not there" or "could not look". */
export async function errorFromResponse(
  res: HttpAnswer,
  req: { method: string; registry: string },
  what: string,
  notFound: RegistryErrorCode = 'MANIFEST_UNKNOWN',
): Promise<RegistryError> {
  let registryCode: string | undefined;
  let registryMessage = '';
  if (req.method !== 'HEAD') {
    try {
      const bytes = await readBodyLimited(res, 64 * 1024, 'an error response');
      const text = new TextDecoder().decode(bytes);
      try {
        const body = JSON.parse(text) as RegistryErrorBody;
        const first = body.errors?.[0];
        if (typeof first?.code === 'string') registryCode = first.code;
        if (typeof first?.message === 'string') registryMessage = maskHeld(first.message);
      } catch {
        // Masked before the cut: a token cut in two would leave its first half unrecognised.
        registryMessage = maskHeld(text.trim()).slice(0, 200);
      }
    } catch {
      // the body is not worth more than the status
    }
  } else {
    await discard(res);
  }
  const status = res.status;
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const said =
    registryCode || registryMessage ? ` (${[registryCode, registryMessage].filter(Boolean).join(': ')})` : '';
  const opts = {
    status,
    ...(registryCode ? { registryCode } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  if (status === 404) {
    const code: RegistryErrorCode =
      registryCode === 'NAME_UNKNOWN'
        ? 'NAME_UNKNOWN'
        : registryCode === 'BLOB_UNKNOWN'
          ? 'BLOB_UNKNOWN'
          : registryCode === 'MANIFEST_UNKNOWN'
            ? 'MANIFEST_UNKNOWN'
            : notFound;
    return new RegistryError(code, `${what}: not found${said}`, opts);
  }
  if (status === 429) {
    const when = retryAfterMs !== undefined ? ` in ${Math.ceil(retryAfterMs / 1000)} s` : ' later';
    return new RegistryError(
      'RATE_LIMITED',
      `${what}: rate limited by ${req.registry}${said}; try again${when}`,
      opts,
    );
  }
  if (status >= 500) {
    return new RegistryError(
      'UNAVAILABLE',
      `${what}: ${req.registry} answered ${status}${said}; the registry is having trouble, try again later`,
      opts,
    );
  }
  if (status === 403) {
    return new RegistryError(
      'DENIED',
      `${what}: ${req.registry} denied access${said}; check that the credentials may ${req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write'} this repository`,
      opts,
    );
  }
  if (status === 401) {
    return new RegistryError('UNAUTHORIZED', `${what}: ${req.registry} wants credentials${said}`, opts);
  }
  if (status === 405) {
    return new RegistryError(
      'UNSUPPORTED',
      `${what}: ${req.registry} does not support this operation${said} (deletes are often disabled)`,
      opts,
    );
  }
  if (registryCode === 'DIGEST_INVALID') {
    return new RegistryError(
      'DIGEST_MISMATCH',
      `${what}: ${req.registry} found that the bytes do not match their digest${said}; the content was altered on the way`,
      opts,
    );
  }
  if (registryCode === 'TAG_INVALID' || status === 409 || status === 412) {
    return new RegistryError(
      'REJECTED',
      `${what}: ${req.registry} refused to write the tag${said}; the repository may have immutable tags`,
      opts,
    );
  }
  return new RegistryError('REJECTED', `${what}: ${req.registry} answered ${status}${said}`, opts);
}
