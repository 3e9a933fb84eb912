import http from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './loopback-server.js';

/** What the proxy does to a request that matches a rule. */
export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  | { readonly kind: 'drop' }
  | { readonly kind: 'delay'; readonly ms: number }
  /** Forward, then flip one byte of the response body (a registry lying about content). */
  | { readonly kind: 'corrupt' };

export interface FaultRule {
  /** Tested against "METHOD /path?query"; every request when omitted. */
  readonly match?: RegExp;
  /** How many matching requests get the fault; all of them when omitted. */
  readonly times?: number;
  readonly fault: Fault;
}

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number | 'dropped';
  readonly faulted: boolean;
}

export interface FaultProxy {
  readonly url: string;
  readonly host: string;
  /** Every request seen, in order. */
  readonly log: readonly ProxiedRequest[];
  addRule(rule: FaultRule): void;
  clearRules(): void;
  resetLog(): void;
  /** Latency added to every forwarded request, in ms. */
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

const REGISTRY_ERROR_CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  404: 'NOT_FOUND',
  429: 'TOOMANYREQUESTS',
  500: 'UNKNOWN',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'UNAVAILABLE',
};

/**
 * A reverse proxy on 127.0.0.1 in front of a local service that injects latency, statuses
 * (429 with Retry-After, 5xx), dropped connections and corrupted bodies, and logs every request.
 * Absolute Location headers are rewritten so upload sessions come back through the proxy.
 */
export async function startFaultProxy(
  target: string,
  options: { latencyMs?: number } = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: { rule: FaultRule; left: number }[] = [];
  const log: ProxiedRequest[] = [];
  let latency = options.latencyMs ?? 0;
  let self = '';

  // A connection's requests are handled in the order they came, each once the answer before it
  // is complete, as a registry (Go's net/http) does with pipelined requests; the latency counts
  // from a request's arrival, so requests pipelined together share one round trip.
  const inOrder = new WeakMap<Socket, Promise<void>>();
  const server = http.createServer((req, res) => {
    const arrived = Date.now();
    const before = inOrder.get(req.socket) ?? Promise.resolve();
    inOrder.set(
      req.socket,
      before.then(() => new Promise<void>((r) => res.once('close', () => r()))),
    );
    const after = (delayMs: number, fn: () => void) =>
      void before.then(() => setTimeout(fn, Math.max(0, arrived + delayMs - Date.now())));
    const line = `${req.method} ${req.url}`;
    const hit = rules.find((r) => r.left > 0 && (!r.rule.match || r.rule.match.test(line)));
    if (hit) hit.left--;
    const fault = hit?.rule.fault;
    const record = (status: number | 'dropped') =>
      log.push({ method: req.method ?? '', path: req.url ?? '', status, faulted: fault !== undefined });

    const forward = (delayMs: number) => {
      after(delayMs, () => {
        const up = http.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: upstream.host },
          },
          (ur) => {
            const headers = { ...ur.headers };
            if (typeof headers.location === 'string')
              headers.location = headers.location.replace(upstream.origin, self);
            record(ur.statusCode ?? 0);
            if (fault?.kind === 'corrupt') {
              const chunks: Buffer[] = [];
              ur.on('data', (c: Buffer) => chunks.push(c));
              ur.on('end', () => {
                const body = Buffer.concat(chunks);
                if (body.length > 0) body[body.length - 1] = body[body.length - 1]! ^ 0x01;
                res.writeHead(ur.statusCode ?? 502, headers).end(body);
              });
              return;
            }
            res.writeHead(ur.statusCode ?? 502, headers);
            ur.pipe(res);
          },
        );
        up.on('error', (e) => {
          record(502);
          res.writeHead(502).end(String(e));
        });
        req.pipe(up);
      });
    };

    if (fault?.kind === 'status') {
      req.resume();
      after(latency, () => {
        record(fault.status);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'docker-distribution-api-version': 'registry/2.0',
        };
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        const code = REGISTRY_ERROR_CODES[fault.status] ?? 'UNKNOWN';
        res
          .writeHead(fault.status, headers)
          .end(fault.body ?? JSON.stringify({ errors: [{ code, message: `injected ${fault.status}` }] }));
      });
    } else if (fault?.kind === 'drop') {
      req.resume();
      record('dropped');
      req.socket.destroy();
    } else {
      forward(latency + (fault?.kind === 'delay' ? fault.ms : 0));
    }
  });
  const { port, stop } = await listenOnLoopback(server);
  self = `http://127.0.0.1:${port}`;
  return {
    url: self,
    host: `127.0.0.1:${port}`,
    log,
    addRule: (rule) => rules.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }),
    clearRules: () => {
      rules.length = 0;
    },
    resetLog: () => {
      log.length = 0;
    },
    setLatency: (ms) => {
      latency = ms;
    },
    stop,
  };
}
