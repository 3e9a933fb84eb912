import { createHash } from 'node:crypto';
import http from 'node:http';
import { listenOnLoopback } from '../loopback-server.js';
import type { Prng } from './prng.js';

/**
 * Where, counted over every request a CLI process sends (through all chaos proxies), the process
 * is killed: while the proxy holds the request (it never reaches the service), after the service
 * applied it and before the answer goes back (the ambiguous write), or a few ms after it arrived
 * (a moment tied to the run's progress rather than the clock, so a loaded machine cannot outrun it).
 */
export type RequestKillPoint =
  | { readonly request: number; readonly phase: 'before-forward' | 'after-apply' }
  /** `delayMs` after the request arrived, whatever is going on then (nothing is held). */
  | { readonly request: number; readonly phase: 'delay'; readonly delayMs: number };

/** Shared by the proxies of one world: counts a process's requests and fires its kill. */
export interface KillSwitch {
  /** Requests seen since the current process started. */
  count: number;
  /** Requests received and not yet answered (a kill now hits a request in flight). */
  inFlight: number;
  point: RequestKillPoint | undefined;
  /** Kills the current process (saying where) and resolves once it is gone; unset when none runs. */
  trigger: ((where: string) => Promise<void>) | undefined;
}

export function createKillSwitch(): KillSwitch {
  return { count: 0, inFlight: 0, point: undefined, trigger: undefined };
}

/** What a chaos proxy saw: every request, with the digest of the body sent or served. */
export interface ChaosLogEntry {
  readonly method: string;
  readonly path: string;
  /** The upstream status, or 'killed' when the process died while the proxy held the request. */
  readonly status: number | 'killed' | 'dropped';
  /** sha256 of the request body (manifest PUTs: the digest the tag is moved to). */
  readonly bodyDigest: string | undefined;
  /** Docker-Content-Digest of the answer (manifest GET/HEAD: what the tag named then). */
  readonly servedDigest: string | undefined;
  /** This request's number within its process (see KillSwitch.count). */
  readonly seq: number;
}

export interface ChaosProxy {
  readonly url: string;
  readonly host: string;
  readonly log: readonly ChaosLogEntry[];
  stop(): Promise<void>;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * A reverse proxy on 127.0.0.1 in front of a service that lives outside the killed process (the
 * registry, the GitHub simulator): adds a random latency to every request (drawn from `prng`),
 * logs every request with body and served digests, and fires the kill switch at its request.
 * Bodies are buffered whole, so "after-apply" means the service has answered.
 */
export async function startChaosProxy(
  target: string,
  options: { prng: Prng; latencyMs: readonly [number, number]; kill: KillSwitch },
): Promise<ChaosProxy> {
  const upstream = new URL(target);
  const log: ChaosLogEntry[] = [];
  let self = '';
  const { kill } = options;
  const [minMs, maxMs] = options.latencyMs;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    req.on('end', () => {
      kill.inFlight++;
      void handle(Buffer.concat(chunks)).finally(() => kill.inFlight--);
    });

    const handle = async (body: Buffer) => {
      const seq = ++kill.count;
      const method = req.method ?? '';
      const path = req.url ?? '';
      const bodyDigest = body.length > 0 ? sha256(body) : undefined;
      const record = (status: ChaosLogEntry['status'], servedDigest?: string) =>
        log.push({ method, path, status, bodyDigest, servedDigest, seq });
      const point = kill.point?.request === seq ? kill.point : undefined;
      if (point?.phase === 'delay') {
        // The trigger of this process, not of a later one that may be running by then.
        const fire = kill.trigger;
        setTimeout(
          () =>
            void fire?.(
              `${point.delayMs} ms after request ${seq} (${method} ${path}) arrived, ${kill.inFlight} requests in flight`,
            ),
          point.delayMs,
        );
      }
      const armed = point?.phase === 'delay' ? undefined : point?.phase;
      await sleep(options.prng.int(minMs, maxMs));
      const where = `request ${seq} ${armed ?? ''} (${method} ${path})`;
      if (armed === 'before-forward') {
        await kill.trigger?.(where);
        record('killed');
        req.socket.destroy();
        return;
      }
      // A process that died while this request waited: the request never left its machine.
      if (req.socket.destroyed) return record('dropped');
      const answer = await forward(upstream, req, body, self).catch((e: unknown) => e as Error);
      if (answer instanceof Error) {
        record('dropped');
        req.socket.destroy();
        return;
      }
      const served = answer.headers['docker-content-digest'];
      record(answer.status, typeof served === 'string' ? served : undefined);
      if (armed === 'after-apply') {
        await kill.trigger?.(where);
        req.socket.destroy();
        return;
      }
      if (req.socket.destroyed) return;
      res.writeHead(answer.status, answer.headers).end(answer.body);
    };
  });
  const { port, stop } = await listenOnLoopback(server);
  self = `http://127.0.0.1:${port}`;
  return {
    url: self,
    host: `127.0.0.1:${port}`,
    log,
    stop,
  };
}

function forward(
  upstream: URL,
  req: http.IncomingMessage,
  body: Buffer,
  self: string,
): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const up = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (ur) => {
        const chunks: Buffer[] = [];
        ur.on('data', (c: Buffer) => chunks.push(c));
        ur.on('error', reject);
        ur.on('end', () => {
          const headers: http.OutgoingHttpHeaders = { ...ur.headers };
          // Upload sessions and redirects come back through the proxy.
          if (typeof headers.location === 'string')
            headers.location = headers.location.replace(upstream.origin, self);
          resolve({ status: ur.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
        });
      },
    );
    up.on('error', reject);
    up.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
