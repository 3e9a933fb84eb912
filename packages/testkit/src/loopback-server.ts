import http from 'node:http';
import type { Server, Socket } from 'node:net';

/**
 * Listens on 127.0.0.1 (an ephemeral port) and tracks the server's connections, so that `stop`
 * ends even while clients hold keep-alive or half-answered connections open.
 */
export async function listenOnLoopback(server: Server): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Plain HTTP servers on 127.0.0.1 for one test file: `serve` starts one (its host is
 * `127.0.0.1:<port>`), `stopAll` (in afterEach) ends them all, open connections included.
 */
export function loopbackHttpServers(): {
  serve(handler: http.RequestListener): Promise<{ host: string; port: number }>;
  stopAll(): Promise<void>;
} {
  const stops: (() => Promise<void>)[] = [];
  return {
    async serve(handler) {
      const { port, stop } = await listenOnLoopback(http.createServer(handler));
      stops.push(stop);
      return { host: `127.0.0.1:${port}`, port };
    },
    async stopAll() {
      await Promise.all(stops.splice(0).map((stop) => stop()));
    },
  };
}
