import { Octokit } from '@octokit/rest';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { holdSecret } from '@relkit/release-core/redact';
import { GitHubError, type GitHubErrorCode } from './errors.js';
import { leanFetch } from './lean-fetch.js';
import { limiterGroup, retryLimiter, retryRequests } from './request-limits.js';

// Typed as the plain Octokit: the plugins add behaviour, not API relkit uses. plugin-retry's
// behaviour comes from retryRequests (request-limits.ts): the plugin makes a Bottleneck per request.
const ForgeOctokit: typeof Octokit = Octokit.plugin(throttling);
export type ForgeOctokit = Octokit;

/** A rate-limit or abuse-detection answer the plugins saw, reported before they wait and retry. */
export interface RateLimitEvent {
  readonly kind: 'primary' | 'secondary';
  readonly method: string;
  readonly url: string;
  /** Seconds GitHub asked to wait. */
  readonly retryAfterSeconds: number;
  readonly retryCount: number;
  /** Whether the request will be retried (false once `maxRateLimitRetries` is used up). */
  readonly willRetry: boolean;
}

export interface GitHubClientOptions {
  /** A GitHub token (see resolveGitHubToken). It is never logged nor put in an error. */
  readonly token: string;
  /** REST root; default https://api.github.com. GitHub Enterprise Server: https://HOST/api/v3. */
  readonly baseUrl?: string;
  readonly userAgent?: string;
  /** Retries of 5xx and dropped connections (plugin-retry's rules, request-limits.ts); default 3. */
  readonly retries?: number;
  /** Retries after a rate-limit / secondary-rate-limit answer; default 3. */
  readonly maxRateLimitRetries?: number;
  /**
   * The unit of every wait the plugins compute (Retry-After seconds, (n+1)² backoff), in ms.
   * Default 1000 (real seconds); tests shrink it so a "Retry-After: 2" costs 2 × retryBaseMs.
   */
  readonly retryBaseMs?: number;
  /** Minimum spacing between writes, GitHub's advice against secondary limits; default 1000 ms. */
  readonly writeSpacingMs?: number;
  readonly onRateLimit?: (event: RateLimitEvent) => void;
  /**
   * The overall deadline of one request, its retries and rate-limit waits included: an API that
   * accepts connections and never answers fails within it (TIMEOUT, naming the host). Default 60 s.
   */
  readonly timeoutMs?: number;
  /** One attempt's timeout, shrunk to what is left of the deadline; default 30 s. */
  readonly attemptTimeoutMs?: number;
}

/** The overall deadline of one GitHub request when the client is not told otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The REST root, checked before any request: a URL that does not parse, is not http(s), or
 * carries credentials (which fetch refuses, and which do not belong in a URL) is refused at once.
 * The message never repeats the credentials.
 */
export function checkApiUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new GitHubError(
      'INVALID_INPUT',
      `the GitHub API URL "${baseUrl.replace(/\/\/[^/@]*@/, '//…@')}" is not a URL`,
      {
        advice: 'set RELKIT_GITHUB_API_URL / GITHUB_API_URL to https://api.github.com or https://HOST/api/v3',
      },
    );
  }
  if (url.username || url.password) {
    throw new GitHubError(
      'INVALID_INPUT',
      `the GitHub API URL ${url.protocol}//…@${url.host}${url.pathname} carries credentials: credentials do not belong in the URL`,
      { advice: 'remove user:password@ from the URL and give the token through GH_TOKEN / GITHUB_TOKEN' },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new GitHubError('INVALID_INPUT', `the GitHub API URL ${url.href} is not http(s)`, {
      advice: 'set RELKIT_GITHUB_API_URL / GITHUB_API_URL to https://api.github.com or https://HOST/api/v3',
    });
  }
  return url;
}

/** When each request's deadline runs out, by the signal the request carries. */
const deadlines = new WeakMap<AbortSignal, number>();
const remainingMs = (signal: unknown) => {
  const at = signal instanceof AbortSignal ? deadlines.get(signal) : undefined;
  return at === undefined ? Infinity : at - Date.now();
};

/**
 * fetch with a timeout per attempt, shrunk to the request's remaining deadline. An attempt that
 * times out before the deadline fails like a dropped connection (a TypeError with a cause), which
 * plugin-retry retries for reads; the deadline itself aborts as an AbortError, never retried.
 */
function fetchWithin(attemptMs: number, fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const left = remainingMs(init?.signal);
    if (left <= 0 || attemptMs >= left) return fetch(input, init);
    const attempt = AbortSignal.timeout(attemptMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, attempt]) : attempt;
    try {
      return await fetch(input, { ...init, signal });
    } catch (e) {
      if (!attempt.aborted || init?.signal?.aborted) throw e;
      throw attemptTimedOut(attemptMs, e);
    }
  };
}

/** Said as fetch says a dropped connection; Octokit reports the cause as the failure. */
function attemptTimedOut(ms: number, e: unknown): TypeError {
  return new TypeError('fetch failed', {
    cause: new Error(`no answer within ${ms / 1000} s (one attempt)`, { cause: e }),
  });
}

/**
 * A stand-in for the Bottleneck groups plugin-throttling uses to space writes. Its defaults are
 * process-wide (shared by every Octokit in the process) and space notification-triggering writes
 * by 3 s; relkit makes a handful of writes per run and wants its own, configurable pacing.
 */
function pacer(spacingMs: number): NonNullable<ThrottlingOptions['write']> {
  let next = 0;
  const limiter = {
    schedule: async (...args: unknown[]) => {
      const fn = args.find((a): a is (...x: unknown[]) => unknown => typeof a === 'function')!;
      const rest = args.slice(args.indexOf(fn) + 1);
      const start = Math.max(Date.now(), next);
      next = start + spacingMs;
      if (start > Date.now()) await new Promise((r) => setTimeout(r, start - Date.now()));
      return fn(...rest);
    },
  };
  return { key: () => limiter } as unknown as NonNullable<ThrottlingOptions['write']>;
}

/** One fetch (one keep-alive pool) for every client of the process: the roles share connections. */
let shared: typeof fetch | undefined;
const sharedFetch = () => (shared ??= leanFetch());

export function createClient(options: GitHubClientOptions): ForgeOctokit {
  if (!options.token || /\s/.test(options.token))
    throw new GitHubError('NO_TOKEN', 'no usable GitHub token was given', {
      advice: 'set GH_TOKEN or GITHUB_TOKEN, or log in with `gh auth login`',
    });
  // Every redactor of the process masks it from now on (its base64 and percent-encoded forms
  // too): a token from gh's hosts.yml or the editor's sign-in is in no environment variable the
  // front ends redact, and toGitHubError's scrub covers only this client's own errors.
  holdSecret(options.token);
  const api = checkApiUrl(options.baseUrl ?? 'https://api.github.com');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = options.retryBaseMs ?? 1000;
  const maxRateLimitRetries = options.maxRateLimitRetries ?? 3;
  const spacing = pacer(options.writeSpacingMs ?? 1000);
  const limitHandler =
    (kind: RateLimitEvent['kind']) =>
    (
      retryAfter: number,
      opts: { method: string; url: string; request?: { signal?: unknown } },
      _octokit: unknown,
      retryCount: number,
    ) => {
      // A wait the deadline cannot cover is not started: the rate limit is reported at once.
      const willRetry =
        retryCount < maxRateLimitRetries && retryAfter * base < remainingMs(opts.request?.signal);
      options.onRateLimit?.({
        kind,
        method: opts.method,
        url: opts.url,
        retryAfterSeconds: retryAfter,
        retryCount,
        willRetry,
      });
      return willRetry;
    };
  const octokit = new ForgeOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    // node:http with keep-alive instead of Node's fetch (undici): less CPU per call (lean-fetch.ts);
    // each attempt cut at 30 s or what is left of the request's deadline.
    request: { fetch: fetchWithin(options.attemptTimeoutMs ?? 30_000, sharedFetch()) },
    userAgent: options.userAgent ?? 'relkit',
    // Octokit logs warnings through console by default; relkit reports through its own errors.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    throttle: {
      id: `relkit-${Math.random().toString(36).slice(2)}`,
      retryAfterBaseValue: base,
      fallbackSecondaryRateRetryAfter: 60,
      write: spacing,
      notifications: spacing,
      // Every request goes through these: Bottleneck-free stand-ins (request-limits.ts) with the
      // plugin's own limits (10 at once; one auth exchange at a time; searches 2 s apart).
      ...({
        global: limiterGroup(10),
        auth: limiterGroup(1),
        search: limiterGroup(1, 2000),
        retryLimiter: retryLimiter(),
      } as object),
      onRateLimit: limitHandler('primary'),
      onSecondaryRateLimit: limitHandler('secondary'),
    },
  });
  // @octokit/request hands a JSON answer that does not parse over as its raw text, and relkit would
  // read fields of a string: an answer cut short by a connection closed mid-body (which HTTP cannot
  // tell from its end when the answer has no length), or a proxy's page. Failed like a dropped
  // connection instead (registered before retryRequests, so inside it): a read is retried, a
  // write is not re-sent but looked for (isAmbiguousFailure).
  octokit.hook.wrap('request', async (request, options) => {
    const response = await request(options);
    // Only the types @octokit/request parses as JSON (it reads other +json types as text).
    const type = String(response.headers['content-type'] ?? '');
    if (typeof response.data === 'string' && /^application\/(scim\+)?json\s*(;|$)/i.test(type))
      throw Object.assign(
        new Error(
          `the answer to ${options.method} ${URL.parse(response.url)?.pathname ?? ''} is not the JSON it claims (cut short?)`,
        ),
        { name: 'HttpError', status: 500, request: options },
      );
    return response;
  });
  retryRequests(octokit, { retries: options.retries ?? 3, retryAfterBaseValue: base });
  // plugin-retry's rule re-sends any request that got a 5xx or no answer, POSTs included; but a write
  // GitHub applied before the 502 (or the dropped connection) would be applied twice, or answer
  // 422 "already exists" about itself. Reads are retried; a write fails once and the forge verb
  // looks for its effect before writing again (forge/context.ts `write`). Secondary rate limits
  // are still waited out by plugin-throttling: GitHub applied nothing then.
  octokit.hook.before('request', (req) => {
    if (!['GET', 'HEAD'].includes(req.method.toUpperCase()) && !req.url.endsWith('/graphql'))
      req.request = { ...req.request, retries: 0 } as typeof req.request;
  });
  // Outermost (registered last): one deadline per request, over every retry and wait inside it.
  octokit.hook.wrap('request', async (request, options) => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    timer.unref?.();
    const caller = options.request?.signal as AbortSignal | undefined;
    const signal = caller ? AbortSignal.any([caller, deadline.signal]) : deadline.signal;
    deadlines.set(signal, Date.now() + timeoutMs);
    options.request = { ...options.request, signal };
    const late = new Promise<never>((_, reject) =>
      deadline.signal.addEventListener('abort', () => reject(timedOut(api, options, timeoutMs)), {
        once: true,
      }),
    );
    late.catch(() => {});
    const answer = Promise.resolve(request(options));
    // A backoff sleeping inside the retry plugin does not outlive the deadline either.
    answer.catch(() => {});
    try {
      return await Promise.race([answer, late]);
    } catch (e) {
      if (deadline.signal.aborted && !caller?.aborted) throw timedOut(api, options, timeoutMs);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  });
  return octokit;
}

/** "api.github.com did not answer within 60 s (GET /repos/…)". */
function timedOut(api: URL, options: { method?: string; url?: string }, ms: number): GitHubError {
  const path = (options.url ?? '').replace(/\?.*$/, '');
  return new GitHubError(
    'TIMEOUT',
    `${api.host} did not answer within ${ms / 1000} s (${options.method ?? 'GET'} ${path})`,
    {
      status: 0,
      advice:
        'check the network path to GitHub; raise the deadline with --timeout SECONDS (or RELKIT_TIMEOUT) if it is only slow',
    },
  );
}

/** Whether a failed request may have taken effect: 5xx, or no answer at all (dropped, reset, timeout). */
export function isAmbiguousFailure(e: unknown): boolean {
  if (e instanceof GitHubError) return e.code === 'UNAVAILABLE';
  if (!isRequestError(e)) return false;
  return e.status >= 500 || !e.response;
}

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

function isRequestError(e: unknown): e is RequestErrorLike {
  return e instanceof Error && typeof (e as { status?: unknown }).status === 'number';
}

/** GitHub's own error text: `message` plus the `errors[]` details of a 422. */
export function gitHubMessage(e: unknown): string {
  if (!isRequestError(e)) return e instanceof Error ? e.message : String(e);
  const data = e.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const text = typeof data?.message === 'string' ? data.message.trim().replace(/\s*\n+\s*/g, ' ') : e.message;
  const details = Array.isArray(data?.errors)
    ? data.errors
        .map((d: unknown) =>
          typeof d === 'string'
            ? d
            : [
                (d as Record<string, unknown>).field,
                (d as Record<string, unknown>).code,
                (d as Record<string, unknown>).message,
              ]
                .filter(Boolean)
                .join(' '),
        )
        .filter(Boolean)
    : [];
  return details.length ? `${text} (${details.join('; ')})` : text;
}

export function statusOf(e: unknown): number | undefined {
  return isRequestError(e) ? e.status : undefined;
}

/**
 * Turns whatever Octokit threw into a GitHubError that says what relkit was doing, what GitHub
 * answered (status, request id) and what to do. The token is scrubbed from every string.
 */
export function toGitHubError(
  e: unknown,
  doing: string,
  token: string,
  advice?: Partial<Record<number, string>>,
): GitHubError {
  // Octokit reports what its fetch threw as the cause of a 500 without a response: a GitHubError
  // there is lean-fetch refusing the answer (too large). Its own code, saying what relkit was doing.
  const cause = e instanceof Error && !(e instanceof GitHubError) ? e.cause : undefined;
  if (cause instanceof GitHubError)
    return new GitHubError(cause.code, `${doing} failed: ${cause.message}`, {
      cause,
      ...(cause.advice ? { advice: cause.advice } : {}),
    });
  if (e instanceof GitHubError) {
    // The deadline's error is raised below the forge: say what relkit was doing.
    if (e.code !== 'TIMEOUT' || e.message.startsWith(doing)) return e;
    return new GitHubError('TIMEOUT', `${doing} failed: ${e.message}`, {
      status: 0,
      cause: e,
      ...(e.advice ? { advice: e.advice } : {}),
    });
  }
  const scrub = (s: string) => (token ? s.split(token).join('[REDACTED]') : s);
  if (!isRequestError(e)) {
    return new GitHubError(
      'UNAVAILABLE',
      scrub(`${doing} failed: ${e instanceof Error ? e.message : String(e)}`),
      {
        advice: 'check the network path to GitHub and retry',
      },
    );
  }
  const status = e.status;
  const requestId = e.response?.headers?.['x-github-request-id'];
  const said = scrub(gitHubMessage(e));
  const rateLimited =
    status === 429 ||
    (status === 403 && (/rate limit/i.test(said) || e.response?.headers?.['x-ratelimit-remaining'] === '0'));
  const [code, defaultAdvice]: [GitHubErrorCode, string] = rateLimited
    ? [
        'RATE_LIMITED',
        'GitHub is rate-limiting this token; wait for the limit to reset and re-run (relkit resumes where it stopped)',
      ]
    : status === 0 || status >= 500
      ? ['UNAVAILABLE', 'GitHub did not answer usefully; retry later (every relkit step is safe to re-run)']
      : status === 401
        ? [
            'UNAUTHORIZED',
            'the token was rejected: check that GH_TOKEN / GITHUB_TOKEN is valid and not expired',
          ]
        : status === 403
          ? [
              'FORBIDDEN',
              'the token lacks a permission this step needs (contents, pull_requests or actions: write)',
            ]
          : status === 404
            ? [
                'NOT_FOUND',
                'check the name; GitHub also answers 404 when the token cannot see the repository',
              ]
            : status === 409
              ? ['CONFLICT', 'the state changed under relkit; re-run to observe it again']
              : status === 422
                ? ['VALIDATION', 'GitHub refused the change as invalid; see its message']
                : ['UNEXPECTED_RESPONSE', 'unexpected answer from GitHub'];
  // A write that failed this way may have been applied (isAmbiguousFailure): say so, and that a
  // re-run is how to resume (each step looks for what is already there before writing again).
  const request = (e as { request?: { method?: string; url?: string } }).request;
  const write =
    !!request?.method &&
    !['GET', 'HEAD'].includes(request.method.toUpperCase()) &&
    !request.url?.endsWith('/graphql');
  const mayBeApplied =
    code === 'UNAVAILABLE' && write
      ? 'GitHub may have applied this write before its answer was lost; re-run relkit: it looks for what is already there before writing again'
      : undefined;
  const where = requestId ? `, request id ${requestId}` : '';
  // Octokit reports a failed connection as status 500 without a response: say so.
  const answered = e.response ? `GitHub answered ${status}${where}` : 'no answer from GitHub';
  return new GitHubError(code, `${doing} failed: ${answered}: ${said}`, {
    status: e.response ? status : 0,
    requestId,
    advice: advice?.[status] ?? mayBeApplied ?? defaultAdvice,
  });
}
