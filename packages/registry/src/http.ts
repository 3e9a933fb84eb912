import type * as Http from 'node:http';
import type { Agent, AgentOptions, ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type * as Tls from 'node:tls';
import { PipelinedConnections } from './pipeline.js';

// node:http through process.getBuiltinModule, not `import`: the ESM facade of node:http reads
// every export, and its lazy WebSocket/fetch getters load undici — ~40 ms at every start of
// release-cli, more than a whole `crane tag`. node:http loads on the first request that needs
// it (a retag's manifest requests go over pipeline.ts, on node:net), node:https and node:tls
// on the first HTTPS exchange only: a loopback registry never needs them. (ADR 3 and 5.)
let httpModule: typeof Http | undefined;
const http = () => (httpModule ??= process.getBuiltinModule('node:http'));
let httpsModule: typeof Https | undefined;
const https = () => (httpsModule ??= process.getBuiltinModule('node:https'));
let tlsModule: typeof Tls | undefined;
const tls = () => (tlsModule ??= process.getBuiltinModule('node:tls'));

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

function queueWhileWaiting(): void {
  if (whileWaiting.size) setImmediate(runWhileWaiting);
}

/**
 * A direct connection for pipeline.ts: TCP, or TLS verified as node:https does (the default
 * CAs plus NODE_EXTRA_CA_CERTS, the host name checked, SNI unless the host is an IP address).
 */
function connectDirect(url: URL): Socket {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const secure = url.protocol === 'https:';
  const port = Number(url.port) || (secure ? 443 : 80);
  if (!secure) return process.getBuiltinModule('node:net').connect({ host, port });
  const ip = process.getBuiltinModule('node:net').isIP(host) !== 0;
  return tls().connect({ host, port, ...(ip ? {} : { servername: host }), ALPNProtocols: ['http/1.1'] });
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
  /**
   * A short request (manifest HEAD, GET, PUT) that may be written behind others of its kind
   * still waiting for their answers on the same connection (HTTP/1.1 pipelining), where no
   * proxy sits in between.
   */
  readonly pipeline?: boolean | undefined;
  /**
   * Called once the request is written on a connection that takes pipelined requests: one of
   * them sent now goes right behind it, in the same round trip.
   */
  readonly onPipelining?: (() => void) | undefined;
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
  /** Direct connections only: a forward proxy may split pipelined requests. */
  private readonly pipelined: PipelinedConnections | undefined;

  constructor(maxSocketsPerHost: number, proxyEnv: ProxyEnv | false) {
    const proxy = proxyEnv ? proxySettings(proxyEnv) : undefined;
    this.pipelined = proxy ? undefined : new PipelinedConnections(connectDirect, queueWhileWaiting);
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
    if (this.pipelined && call.pipeline && !(call.body && !(call.body instanceof Uint8Array))) {
      return this.pipelined
        .exchange(url, {
          method: call.method,
          headers: call.headers,
          body: call.body,
          signal: call.signal,
          pipeline: true,
          onPipelining: call.onPipelining,
        })
        .then((a) => ({ status: a.status, headers: new AnswerHeaders(a.headers), body: a.body }));
    }
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
          : (this.plain ??= new (http().Agent)(this.options));
        const options = { method: call.method, headers, agent, signal: call.signal };
        req = secure ? https().request(url, options, answered) : http().request(url, options, answered);
      } catch (e) {
        reject(e as Error);
        return;
      }
      // `on`, not `once`: an 'error' without a listener would crash the process. After the
      // answer, failures surface on the body stream instead, and reject is a no-op.
      req.on('error', reject);
      // After 'finish' the request has left (also on the second connection, one I/O phase on).
      if (whileWaiting.size) req.once('finish', queueWhileWaiting);
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
