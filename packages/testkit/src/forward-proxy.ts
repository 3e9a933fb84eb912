import http from 'node:http';
import net from 'node:net';

/** An HTTP forward proxy on 127.0.0.1, like a corporate egress proxy, with a log of what it carried. */
export interface ForwardProxy {
  /** e.g. http://127.0.0.1:43123 — the value for HTTP_PROXY / HTTPS_PROXY. */
  readonly url: string;
  /** `GET http://host/path` for proxied plain HTTP, `CONNECT host:port` for tunnels (HTTPS). */
  readonly log: readonly string[];
  stop(): Promise<void>;
}

/**
 * Forwards absolute-URI requests (plain HTTP) and opens CONNECT tunnels (HTTPS), only to
 * loopback addresses: a test proxy must not become a way off the machine.
 */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const log: string[] = [];
  const sockets = new Set<net.Socket>();
  const loopback = (host: string) =>
    /^(127\.\d+\.\d+\.\d+|\[?::1\]?|\[?::ffff:7f00:1\]?|localhost)$/i.test(host);

  const server = http.createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('a forward proxy wants absolute URIs');
      return;
    }
    if (target.protocol !== 'http:' || !loopback(target.hostname)) {
      res.writeHead(403).end('this test proxy only reaches loopback over plain HTTP');
      return;
    }
    const up = http.request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: req.headers,
      },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    up.on('error', (e) => res.writeHead(502).end(String(e)));
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    log.push(`CONNECT ${req.url}`);
    const at = (req.url ?? '').lastIndexOf(':');
    const host = (req.url ?? '').slice(0, at).replace(/^\[|\]$/g, '');
    if (!loopback(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number((req.url ?? '').slice(at + 1)), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
