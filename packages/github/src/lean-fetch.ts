import type * as Http from 'node:http';
import type https from 'node:https';
import type { Readable } from 'node:stream';
import { GitHubError } from './errors.js';

/**
 * The `fetch` Octokit is given (its `request.fetch` option): node:http(s) with keep-alive
 * agents, answering with the few Response members @octokit/request reads (status, url,
 * headers, text, arrayBuffer, body). Why not Node's own fetch: it is undici, compiled lazily on
 * the first call (~30 ms of CPU right before relkit's first GitHub request) and its
 * WHATWG-streams body, Headers and resource-timing bookkeeping cost CPU on every call; a promote
 * makes ~30 GitHub calls on a chain of round trips, and on a 2-core runner that CPU is what the
 * user waits for (bench: promote).
 *
 * Same behaviour as fetch where relkit can see it: redirects followed (at most 20; 303, and
 * 301/302 after a POST, become a GET; the Authorization header is not sent to another origin),
 * gzip/deflate/br answers decoded, an aborted `signal` rejects with the signal's reason, a
 * failed connection is a TypeError("fetch failed") whose `cause` says why (as Octokit expects).
 * Unlike fetch, an answer larger than `maxAnswerBytes` (raw or decoded) is refused with a
 * GitHubError UNEXPECTED_RESPONSE naming the request (see MAX_ANSWER_BYTES).
 * Anything it does not handle (a streamed body, a proxy from the environment, another scheme)
 * goes to globalThis.fetch.
 */
// Through getBuiltinModule, not `import`: node:http's ESM facade reads every export, and its lazy
// WebSocket/EventSource getters then compile undici (~35 ms before the first request; bench: promote).
const http: typeof Http = process.getBuiltinModule('node:http');

/**
 * The most relkit keeps of one answer, as it came and once decoded. Without a cap, a hostile proxy
 * (or a compression bomb: 200 KB of gzip inflate to 200 MiB) takes the runner's memory. The
 * largest answers relkit reads are pages of 100 releases (a release body may hold 125,000
 * characters: ~12.5 MB a page, plus asset lists) and commit comparisons (≤ 300 files with their
 * patches, a few MB); 64 MiB leaves several times that.
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export interface LeanFetchLimits {
  /** Default MAX_ANSWER_BYTES; tests shrink it. */
  readonly maxAnswerBytes?: number;
}

export function leanFetch(
  env: Readonly<Record<string, string | undefined>> = process.env,
  limits: LeanFetchLimits = {},
): typeof fetch {
  // Node's fetch honours HTTP(S)_PROXY only with NODE_USE_ENV_PROXY: keep that behaviour whole.
  if (env.NODE_USE_ENV_PROXY) return (...args) => globalThis.fetch(...args);
  const agents = new Agents(limits.maxAnswerBytes ?? MAX_ANSWER_BYTES);
  const lean = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (
      !(typeof input === 'string' || input instanceof URL) ||
      !(url.protocol === 'http:' || url.protocol === 'https:') ||
      !(body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array)
    )
      return globalThis.fetch(input, init);
    return send(
      agents,
      url,
      (init.method ?? 'GET').toUpperCase(),
      headersOf(init.headers),
      body ?? undefined,
      init,
    );
  };
  return lean as typeof fetch;
}

/**
 * One keep-alive agent per scheme. node:https (and with it node:tls) is loaded on the first
 * https request only: loading it costs milliseconds of CPU that would otherwise come before
 * relkit's first request of any kind.
 */
class Agents {
  constructor(readonly maxAnswerBytes: number) {}
  #http: Http.Agent | undefined;
  #https: https.Agent | undefined;
  #httpsModule: typeof https | undefined;
  module(protocol: string): typeof http | typeof https {
    return protocol === 'https:' ? (this.#httpsModule ??= process.getBuiltinModule('node:https')) : http;
  }
  agent(protocol: string): Http.Agent {
    if (protocol === 'https:')
      return (this.#https ??= new (this.module('https:') as typeof https).Agent({ keepAlive: true }));
    return (this.#http ??= new http.Agent({ keepAlive: true }));
  }
}

function headersOf(h: RequestInit['headers']): Record<string, string> {
  if (!h) return {};
  if (Array.isArray(h)) return Object.fromEntries(h.map(([k, v]) => [k!.toLowerCase(), v!]));
  // A Headers instance (not named: touching the global Headers would load undici).
  if (typeof (h as Headers).forEach === 'function') {
    const out: Record<string, string> = {};
    (h as Headers).forEach((v, k) => (out[k.toLowerCase()] = v));
    return out;
  }
  return Object.fromEntries(
    Object.entries(h as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
  );
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function send(
  agents: Agents,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  init: RequestInit,
  redirects = 0,
): Promise<Response> {
  const res = await exchange(agents, url, method, headers, body, init.signal ?? undefined);
  const location = res.headers.location;
  if (REDIRECTS.has(res.status) && location && init.redirect !== 'manual') {
    if (init.redirect === 'error' || redirects >= 20)
      throw Object.assign(new TypeError('fetch failed'), {
        cause: new Error('redirect refused or too many'),
      });
    // fetch fails a redirect to another scheme (ftp:, file:, data:) or to no URL as a network
    // error; node:http would throw its own ERR_INVALID_PROTOCOL without the `cause` Octokit reads.
    const next = URL.parse(location, url.href);
    if (next?.protocol !== 'http:' && next?.protocol !== 'https:')
      throw Object.assign(new TypeError('fetch failed'), {
        cause: new Error(`${method} ${where(url)} redirected to a location that is not http(s): refused`),
      });
    const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST');
    const nextHeaders = { ...headers };
    if (next.origin !== url.origin) delete nextHeaders.authorization;
    if (toGet) {
      delete nextHeaders['content-type'];
      delete nextHeaders['content-length'];
    }
    return send(
      agents,
      next,
      toGet && method !== 'HEAD' ? 'GET' : method,
      nextHeaders,
      toGet ? undefined : body,
      init,
      redirects + 1,
    );
  }
  return new LeanResponse(url.href, res.status, res.statusText, res.headers, res.body) as unknown as Response;
}

interface Answer {
  status: number;
  statusText: string;
  headers: Http.IncomingHttpHeaders;
  body: Buffer;
}

function exchange(
  agents: Agents,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    const h: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...headers };
    if (payload) h['content-length'] = String(payload.byteLength);
    const req = agents
      .module(url.protocol)
      .request(url, { method, headers: h, agent: agents.agent(url.protocol) });
    const onAbort = () => {
      req.destroy();
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    req.on('error', (e) => {
      done();
      if (signal?.aborted) return reject(abortReason(signal));
      reject(Object.assign(new TypeError('fetch failed'), { cause: e }));
    });
    req.on('response', (res) => {
      const max = agents.maxAnswerBytes;
      // Past the cap the answer is refused and its connection destroyed (never reused half-read).
      const refuse = () => {
        done();
        req.destroy();
        reject(tooLarge(method, url, max));
      };
      if (Number(res.headers['content-length']) > max) return refuse();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) return refuse();
        chunks.push(c);
      });
      res.on('error', (e) => {
        done();
        reject(Object.assign(new TypeError('fetch failed'), { cause: e }));
      });
      res.on('end', () => {
        done();
        if (size > max) return;
        try {
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            body: decode(Buffer.concat(chunks), res.headers['content-encoding'], max),
          });
        } catch (e) {
          if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
            return reject(tooLarge(method, url, max));
          const encoding = String(res.headers['content-encoding']);
          reject(
            Object.assign(new TypeError('fetch failed'), {
              cause: new Error(
                `the ${encoding} answer to ${method} ${where(url)} does not decode: ${(e as Error).message}`,
                {
                  cause: e,
                },
              ),
            }),
          );
        }
      });
    });
    req.end(payload);
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** "api.github.com/repos/acme/app/releases": the request, without its query. */
const where = (url: URL) => `${url.host}${url.pathname}`;

function tooLarge(method: string, url: URL, max: number): GitHubError {
  return new GitHubError(
    'UNEXPECTED_RESPONSE',
    `the answer to ${method} ${where(url)} is larger than ${max / 1024 / 1024} MiB: refused`,
    {
      advice:
        'GitHub answers relkit reads are far smaller: check what sits between relkit and GitHub (a proxy)',
    },
  );
}

/** Inflates at most `max` bytes (a compression bomb throws ERR_BUFFER_TOO_LARGE instead). */
function decode(raw: Buffer, encoding: string | undefined, max: number): Buffer {
  if (!encoding || encoding === 'identity' || raw.length === 0) return raw;
  const zlib = process.getBuiltinModule('node:zlib');
  const limit = { maxOutputLength: max };
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(raw, limit);
  if (encoding === 'deflate') return zlib.inflateSync(raw, limit);
  if (encoding === 'br') return zlib.brotliDecompressSync(raw, limit);
  return raw;
}

/** What @octokit/request reads of a fetch Response's headers: get() and iteration. */
class LeanHeaders {
  readonly #h: Http.IncomingHttpHeaders;
  constructor(h: Http.IncomingHttpHeaders) {
    this.#h = h;
  }
  get(name: string): string | null {
    const v = this.#h[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.#h[name.toLowerCase()] !== undefined;
  }
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const k of Object.keys(this.#h)) yield [k, this.get(k)!];
  }
  forEach(fn: (value: string, key: string) => void): void {
    for (const [k, v] of this) fn(v, k);
  }
}

class LeanResponse {
  readonly headers: LeanHeaders;
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  #bytes: Buffer;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    headers: Http.IncomingHttpHeaders,
    bytes: Buffer,
  ) {
    this.headers = new LeanHeaders(headers);
    this.ok = status >= 200 && status < 300;
    this.#bytes = bytes;
  }
  async text(): Promise<string> {
    return this.#bytes.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.#bytes.toString('utf8'));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.#bytes;
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
  /** The body as a web stream, for callers that ask for it unparsed (loads web streams then). */
  get body(): ReadableStream<Uint8Array> {
    const { Readable: R } = process.getBuiltinModule('node:stream') as { Readable: typeof Readable };
    return R.toWeb(R.from([this.#bytes])) as ReadableStream<Uint8Array>;
  }
}
