import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EARLY_CONNECTION,
  PipelinedConnections,
  requestHead,
  type EarlyConnection,
  type PipelineAnswer,
  type PipelineCall,
} from './pipeline.js';

// A connection opened, and requests written on it, before the client existed (release-cli's
// launcher does that for `image tag`): the client takes it over, an identical request takes the
// early one's answer (never written twice), answers nobody claims are read and dropped, and a
// connection that failed early is not taken over.

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  delete (globalThis as Record<symbol, unknown>)[EARLY_CONNECTION];
  for (const s of sockets) s.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** Serves `onSocket` on 127.0.0.1 (tracked for the cleanup); its http:// base URL. */
async function listen(onSocket: (s: net.Socket) => void): Promise<string> {
  const server = net.createServer((s) => {
    sockets.add(s);
    onSocket(s);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** A server answering each request head with its request line as the body, in order. */
async function echo(): Promise<{ url: string; seen: string[]; connections: () => number }> {
  const seen: string[] = [];
  let connections = 0;
  const url = await listen((s) => {
    connections++;
    let text = '';
    s.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      for (let end = text.indexOf('\r\n\r\n'); end >= 0; end = text.indexOf('\r\n\r\n')) {
        const line = text.slice(0, text.indexOf('\r\n'));
        text = text.slice(end + 4);
        seen.push(line);
        const body = line.startsWith('HEAD') ? '' : line;
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${line.length}\r\n\r\n${body}`);
      }
    });
  });
  return { url, seen, connections: () => connections };
}

const call = (method: string): PipelineCall => ({
  method,
  headers: { accept: 'x/y' },
  signal: AbortSignal.timeout(5000),
  pipeline: true,
});
const text = async (a: PipelineAnswer) => {
  let s = '';
  for await (const c of a.body) s += (c as Buffer).toString('latin1');
  return s;
};

/** What bin/early-image-tag.js does: connect, write, buffer what comes, offer the connection. */
function writeEarly(base: string, requests: [string, string][]): net.Socket {
  const url = new URL(base);
  const socket = net.connect(Number(url.port), url.hostname);
  const chunks: Buffer[] = [];
  const onData = (c: Buffer) => chunks.push(c);
  socket.on('data', onData);
  socket.on('error', () => undefined);
  const heads = requests.map(([method, path]) => {
    const head = requestHead(new URL(path, base), call(method));
    if (typeof head !== 'string') throw head;
    return head;
  });
  socket.write(heads.join(''));
  const early: EarlyConnection = {
    origin: url.origin,
    socket,
    requests: heads.map((head) => ({ head, traceKey: {} })),
    take() {
      socket.off('data', onData);
      if (socket.destroyed) return undefined;
      return Buffer.concat(chunks);
    },
  };
  (globalThis as Record<symbol, unknown>)[EARLY_CONNECTION] = early;
  return socket;
}

function client(): { pool: PipelinedConnections; connects: () => number } {
  let connects = 0;
  const pool = new PipelinedConnections(
    (u) => {
      connects++;
      return net.connect(Number(u.port), u.hostname);
    },
    () => undefined,
  );
  return { pool, connects: () => connects };
}

describe('pipeline.ts: a connection started early', () => {
  it('identical requests take the early answers: nothing is written twice, no new connection', async () => {
    const { url, seen, connections } = await echo();
    writeEarly(url, [
      ['GET', '/v2/a/manifests/1'],
      ['HEAD', '/v2/a/manifests/latest'],
    ]);
    const c = client();
    const [g, h] = await Promise.all([
      c.pool.exchange(new URL(`${url}/v2/a/manifests/1`), call('GET')),
      c.pool.exchange(new URL(`${url}/v2/a/manifests/latest`), call('HEAD')),
    ]);
    expect(await text(g)).toBe('GET /v2/a/manifests/1 HTTP/1.1');
    expect([h.status, await text(h)]).toEqual([200, '']);
    // The next request goes on the same connection.
    const p = await c.pool.exchange(new URL(`${url}/v2/a/manifests/2`), call('GET'));
    expect(await text(p)).toBe('GET /v2/a/manifests/2 HTTP/1.1');
    expect(seen).toEqual([
      'GET /v2/a/manifests/1 HTTP/1.1',
      'HEAD /v2/a/manifests/latest HTTP/1.1',
      'GET /v2/a/manifests/2 HTTP/1.1',
    ]);
    expect([c.connects(), connections()]).toEqual([0, 1]);
  });

  it('an answer that came before the client asked is handed over whole', async () => {
    const { url } = await echo();
    const socket = writeEarly(url, [['GET', '/v2/a/manifests/1']]);
    await new Promise((r) => socket.once('data', r));
    const c = client();
    const g = await c.pool.exchange(new URL(`${url}/v2/a/manifests/1`), call('GET'));
    expect(await text(g)).toBe('GET /v2/a/manifests/1 HTTP/1.1');
    expect(c.connects()).toBe(0);
  });

  it('a request that differs is written anew; the early answer nobody wants is dropped', async () => {
    const { url, seen } = await echo();
    writeEarly(url, [['GET', '/v2/a/manifests/1']]);
    const c = client();
    const other = { ...call('GET'), headers: { accept: 'x/y', authorization: 'Bearer t' } };
    const g = await c.pool.exchange(new URL(`${url}/v2/a/manifests/1`), other);
    expect(await text(g)).toBe('GET /v2/a/manifests/1 HTTP/1.1');
    expect(seen).toEqual(['GET /v2/a/manifests/1 HTTP/1.1', 'GET /v2/a/manifests/1 HTTP/1.1']);
  });

  it('an early connection that failed is not taken over: the client connects itself', async () => {
    const { url } = await echo();
    const socket = writeEarly(url, [['GET', '/v2/a/manifests/1']]);
    socket.destroy();
    const c = client();
    const g = await c.pool.exchange(new URL(`${url}/v2/a/manifests/1`), call('GET'));
    expect(await text(g)).toBe('GET /v2/a/manifests/1 HTTP/1.1');
    expect(c.connects()).toBe(1);
  });

  it('an early connection to another origin is left alone', async () => {
    const a = await echo();
    const b = await echo();
    writeEarly(a.url, [['GET', '/v2/a/manifests/1']]);
    const c = client();
    const g = await c.pool.exchange(new URL(`${b.url}/v2/a/manifests/1`), call('GET'));
    expect(await text(g)).toBe('GET /v2/a/manifests/1 HTTP/1.1');
    expect(c.connects()).toBe(1);
    expect((globalThis as Record<symbol, unknown>)[EARLY_CONNECTION]).toBeDefined();
  });

  it(
    'an early answer whose body stops coming: the request that claimed it can still be aborted',
    { timeout: 5_000 },
    async () => {
      // The answer's head and part of its body came before the client asked; then nothing. The
      // claimant's abort (its timeout) must end the connection and so the body, as for a request
      // of its own: claimed "answered", it was once settled at once, and the body waited forever
      // on a connection that kept the process alive.
      const url = await listen((s) => {
        s.once('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npart'));
      });
      const socket = writeEarly(url, [['GET', '/v2/a/manifests/1']]);
      await new Promise((r) => socket.once('data', r));
      const c = client();
      const abort = new AbortController();
      const g = await c.pool.exchange(new URL(`${url}/v2/a/manifests/1`), {
        ...call('GET'),
        signal: abort.signal,
      });
      const body = text(g);
      abort.abort(new Error('the deadline ran out'));
      await expect(body).rejects.toThrow('the deadline ran out');
      expect(socket.destroyed).toBe(true);
      expect(c.connects()).toBe(0);
    },
  );

  it('answers that come a byte at a time, across the take-over, or all in one segment', async () => {
    const answers =
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n' +
      'HTTP/1.1 404 Not Found\r\ncontent-length: 7\r\n\r\n';
    for (const segments of ['bytes', 'one'] as const) {
      let seen = 0;
      const url = await listen((s) => {
        s.setNoDelay(true);
        s.on('data', (c: Buffer) => {
          seen += c.toString('latin1').split('\r\n\r\n').length - 1;
          if (seen < 2) return;
          if (segments === 'one') s.write(answers);
          else {
            // One byte per write, a timer apart: one byte per TCP segment (no Nagle).
            let at = 0;
            const next = () => {
              s.write(answers[at++]!);
              if (at < answers.length) setTimeout(next, 1);
            };
            next();
          }
        });
      });
      const socket = writeEarly(url, [
        ['GET', '/v2/a/manifests/1'],
        ['HEAD', '/v2/a/manifests/latest'],
      ]);
      // Taken over with part of the first answer's head in (or both answers whole).
      await new Promise((r) => socket.once('data', r));
      const c = client();
      const [g, h] = await Promise.all([
        c.pool.exchange(new URL(`${url}/v2/a/manifests/1`), call('GET')),
        c.pool.exchange(new URL(`${url}/v2/a/manifests/latest`), call('HEAD')),
      ]);
      expect([g.status, await text(g)]).toEqual([200, 'abcde']);
      expect([h.status, h.headers['content-length'], await text(h)]).toEqual([404, '7', '']);
      expect([c.connects(), seen]).toEqual([0, 2]);
    }
  });

  it('the server closes after the first early answer: the claimed request behind it goes again, once', async () => {
    // Both early requests are claimed before any answer; the first answer says Connection: close.
    const { url, seen, connections } = await echo();
    const origin = await listen((s) => {
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok'));
    });
    writeEarly(origin, [
      ['GET', '/v2/a/manifests/1'],
      ['HEAD', '/v2/a/manifests/latest'],
    ]);
    // The requests that go again are sent to the echo server (the same origin as far as the
    // client knows): what reaches it is what was written twice.
    let connects = 0;
    const pool = new PipelinedConnections(
      () => {
        connects++;
        return net.connect(Number(new URL(url).port), '127.0.0.1');
      },
      () => undefined,
    );
    const [g, h] = await Promise.all([
      pool.exchange(new URL(`${origin}/v2/a/manifests/1`), call('GET')),
      pool.exchange(new URL(`${origin}/v2/a/manifests/latest`), call('HEAD')),
    ]);
    expect([g.status, await text(g)]).toEqual([200, 'ok']);
    expect([h.status, await text(h)]).toEqual([200, '']);
    expect(seen).toEqual(['HEAD /v2/a/manifests/latest HTTP/1.1']);
    expect([connects, connections()]).toEqual([1, 1]);
  });

  it(
    'an early answer claimed, then dropped unread: the connection goes, nothing waits on it',
    { timeout: 5_000 },
    async () => {
      // As for an answer of the client's own (a manifest declared too large is dropped unread):
      // the rest of the body cannot be skipped safely, so the connection must end. It was once
      // left reading the body nobody wanted, the HEAD behind it waiting until its timeout.
      const url = await listen((s) => {
        s.once('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-length: 100000000\r\n\r\npart'));
      });
      const socket = writeEarly(url, [
        ['GET', '/v2/a/manifests/1'],
        ['HEAD', '/v2/a/manifests/latest'],
      ]);
      await new Promise((r) => socket.once('data', r));
      const c = client();
      const g = await c.pool.exchange(new URL(`${url}/v2/a/manifests/1`), call('GET'));
      const h = c.pool.exchange(new URL(`${url}/v2/a/manifests/latest`), call('HEAD'));
      g.body.destroy();
      // As behind a dropped answer of the client's own: the HEAD fails (its caller retries it).
      await expect(h).rejects.toThrow('the answer was not read to its end');
      expect(socket.destroyed).toBe(true);
    },
  );
});
