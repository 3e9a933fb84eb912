// A relay on 127.0.0.1 in front of the GitHub simulator that spoils chosen answers on the wire
// (cut short, replaced): what a bad network or a hostile proxy does after GitHub answered.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GitHubSimulator } from '@relkit/testkit';
import { afterEach } from 'vitest';

export type Spoil = (
  socket: Socket,
  answer: { status: number; headers: http.IncomingHttpHeaders; body: Buffer },
) => void;

/**
 * Registers the relay's cleanup and returns `startRelay(match, spoil, times)`: it forwards every
 * request to the simulator; the first `times` answers to each request line matching `match`
 * ("METHOD /path") are spoiled on the wire instead of passed on. Logs "METHOD /path".
 */
export function useRelay(t: { readonly sim: GitHubSimulator }) {
  let relay: http.Server | undefined;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise((r) => (relay ? relay.close(r) : r(undefined)));
    relay = undefined;
  });
  return async function startRelay(
    match: RegExp,
    spoil: Spoil,
    times = Infinity,
  ): Promise<{ url: string; log: string[] }> {
    const log: string[] = [];
    const spoiled = new Map<string, number>();
    const target = new URL(t.sim.url);
    relay = http.createServer((req, res) => {
      const line = `${req.method} ${req.url!.replace(/\?.*$/, '')}`;
      log.push(line);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers = { ...req.headers, host: target.host };
        delete headers['accept-encoding'];
        const out = http.request(
          { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
          (answer) => {
            const body: Buffer[] = [];
            answer.on('data', (c: Buffer) => body.push(c));
            answer.on('end', () => {
              const n = spoiled.get(line) ?? 0;
              if (match.test(line) && n < times) {
                spoiled.set(line, n + 1);
                return spoil(req.socket, {
                  status: answer.statusCode!,
                  headers: answer.headers,
                  body: Buffer.concat(body),
                });
              }
              res.writeHead(answer.statusCode!, answer.headers);
              res.end(Buffer.concat(body));
            });
          },
        );
        out.end(Buffer.concat(chunks));
      });
    });
    relay.on('connection', (s: Socket) => sockets.add(s));
    await new Promise<void>((r) => relay!.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`, log };
  };
}

/**
 * The first half of the body, sent without a length and closed: HTTP cannot tell that from the
 * answer's end (a connection lost mid-body behind a proxy that stripped the length).
 */
export const cutShort: Spoil = (socket, a) =>
  socket.end(
    `HTTP/1.1 ${a.status} X\r\ncontent-type: ${a.headers['content-type']}\r\nconnection: close\r\n\r\n` +
      a.body.subarray(0, a.body.length >> 1).toString('latin1'),
    'latin1',
  );

/** The request went through (GitHub applied it), then the connection dropped before any answer. */
export const dropped: Spoil = (socket) => socket.destroy();
