import type { Agent, AgentOptions, ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import type { Readable } from 'node:stream';

// node:http through process.getBuiltinModule, not `import`: the ESM facade of node:http reads
// every export, and its lazy WebSocket/fetch getters load undici — ~40 ms at every start of
// release-cli, more than a whole `crane tag`. node:https (and TLS) loads on the first HTTPS
// exchange only: a loopback registry never needs it. (ADR 3 in the README.)
const http = process.getBuiltinModule('node:http');
let tls: typeof Https | undefined;
const https = () => (tls ??= process.getBuiltinModule('node:https'));

// Code that the answers will need (node:crypto for digest checks) loads once the first request
// is on its way: its CPU then overlaps the wait for the answer instead of delaying the request.
const whileWaiting = new Set<() => void>();

/** Runs `task` once, right after a request has been sent, while its answer is on the way. */
export function loadWhileWaiting(task: () => void): void {
  whileWaiting.add(task);
}

function runWhileWaiting(): void {
  for (const task of whileWaiting) {
    whileWaiting.delete(task);
    try {
      task();
    } catch {
      // the code that needs it loads it again and reports the failure there
    }
  }
}

/** The headers of an answer, read like fetch's Headers: case-insensitive, repeats joined. */
export class AnswerHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(', ') : v;
  }
}

/** What a server answered: status, headers, and the body as a stream that is read once. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: AnswerHeaders;
  readonly body: Readable;
}

export interface HttpCall {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes (sent with their Content-Length) or a stream (sent once, as it comes). */
  readonly body?: Uint8Array | Readable | undefined;
  readonly signal: AbortSignal;
}

/** Environment variables as Node's agents read them for proxies. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/**
 * HTTP_PROXY / HTTPS_PROXY / NO_PROXY (either case) as Docker, crane and skopeo honour them, with
 * loopback never proxied (as Go's ProxyFromEnvironment). Undefined when no proxy is set.
 */
export function proxySettings(env: ProxyEnv): Record<string, string> | undefined {
  const pick = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY');
  if (!httpProxy && !httpsProxy) return undefined;
  return {
    ...(httpProxy ? { HTTP_PROXY: httpProxy } : {}),
    ...(httpsProxy ? { HTTPS_PROXY: httpsProxy } : {}),
    NO_PROXY: [pick('NO_PROXY'), 'localhost', '127.0.0.1', '::1'].filter(Boolean).join(','),
  };
}

/**
 * One HTTP/1.1 exchange over keep-alive connections, one pool per client. Idle sockets do not
 * keep the process alive (node:http unrefs them), so a CLI exits as soon as its work is done.
 */
export class HttpConnections {
  private readonly options: AgentOptions;
  private plain: Agent | undefined;
  private secure: Agent | undefined;

  constructor(maxSocketsPerHost: number, proxyEnv: ProxyEnv | false) {
    const proxy = proxyEnv ? proxySettings(proxyEnv) : undefined;
    this.options = {
      keepAlive: true,
      maxSockets: maxSocketsPerHost,
      scheduling: 'lifo',
      // Node's built-in proxy support (CONNECT tunnels for HTTPS); a Node without it ignores this.
      ...(proxy ? ({ proxyEnv: proxy } as AgentOptions) : {}),
    };
  }

  /** Resolves with the answer once its headers are in; the body is the caller's to read. */
  exchange(url: URL, call: HttpCall): Promise<HttpAnswer> {
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = { ...call.headers };
    const body = call.body;
    if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength);
    else if (!body && call.method !== 'GET' && call.method !== 'HEAD' && !('content-length' in headers))
      headers['content-length'] = '0'; // not chunked: some registries refuse an empty chunked PUT
    return new Promise<HttpAnswer>((resolve, reject) => {
      let req: ClientRequest;
      const answered = (res: IncomingMessage) =>
        resolve({ status: res.statusCode ?? 0, headers: new AnswerHeaders(res.headers), body: res });
      try {
        const agent = secure
          ? (this.secure ??= new (https().Agent)(this.options))
          : (this.plain ??= new http.Agent(this.options));
        const options = { method: call.method, headers, agent, signal: call.signal };
        req = secure ? https().request(url, options, answered) : http.request(url, options, answered);
      } catch (e) {
        reject(e as Error);
        return;
      }
      // `on`, not `once`: an 'error' without a listener would crash the process. After the
      // answer, failures surface on the body stream instead, and reject is a no-op.
      req.on('error', reject);
      // After 'finish' the request has left (also on the second connection, one I/O phase on).
      if (whileWaiting.size) req.once('finish', () => setImmediate(runWhileWaiting));
      if (body instanceof Uint8Array) req.end(body);
      else if (body) {
        // Either side failing ends the other: a half-sent upload is never left open.
        body.on('error', (e) => req.destroy(e));
        req.on('error', (e) => body.destroy(e));
        body.pipe(req);
      } else req.end();
    });
  }
}
