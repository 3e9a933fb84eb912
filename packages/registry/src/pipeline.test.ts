import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelinedConnections, type PipelineAnswer } from './pipeline.js';

// The response framing of pipeline.ts against raw servers on 127.0.0.1 that write exact bytes:
// several answers in one write, chunked bodies with extensions and trailers, 1xx answers, a
// body delimited by the close, and malformed answers refused.

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server that waits for `requests` request heads on a connection, then writes `answer`. */
async function raw(
  requests: number,
  answer: string,
  thenClose = false,
): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = net.createServer((s) => {
    sockets.add(s);
    let text = '';
    s.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      const heads = text.split('\r\n\r\n').slice(0, -1);
      if (heads.length >= requests && seen.length === 0) {
        seen.push(...heads.map((h) => h.split('\r\n')[0]!));
        s.write(answer);
        if (thenClose) s.end();
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen };
}

const client = () =>
  new PipelinedConnections(
    (u) => net.connect(Number(u.port), u.hostname),
    () => undefined,
  );
const call = (method: string) => ({
  method,
  headers: {},
  signal: AbortSignal.timeout(5000),
  pipeline: true,
});
const text = async (a: PipelineAnswer) => {
  let s = '';
  for await (const c of a.body) s += (c as Buffer).toString('latin1');
  return s;
};

describe('pipeline.ts framing', () => {
  it('reads pipelined answers in order: length, chunked with extensions and trailers, HEAD, 1xx', async () => {
    const { url, seen } = await raw(
      3,
      'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello' +
        'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: 1\r\n\r\n' +
        'HTTP/1.1 404 Not Found\r\ncontent-length: 99\r\nx-many: a\r\nx-many: b\r\n\r\n',
    );
    const c = client();
    const [a, b, h] = await Promise.all([
      c.exchange(new URL(`${url}/one`), call('GET')),
      c.exchange(new URL(`${url}/two`), call('GET')),
      c.exchange(new URL(`${url}/three`), call('HEAD')),
    ]);
    expect(seen).toEqual(['GET /one HTTP/1.1', 'GET /two HTTP/1.1', 'HEAD /three HTTP/1.1']);
    expect([a.status, await text(a)]).toEqual([200, 'hello']);
    expect([b.status, await text(b)]).toEqual([200, 'abcde']);
    expect([h.status, await text(h), h.headers['x-many']]).toEqual([404, '', ['a', 'b']]);
  });

  it('reads a body delimited by the close', async () => {
    const { url } = await raw(1, 'HTTP/1.1 200 OK\r\n\r\nuntil the end', true);
    const a = await client().exchange(new URL(`${url}/x`), call('GET'));
    expect(await text(a)).toBe('until the end');
  });

  it('refuses malformed answers: a bad status line, a bad chunk size, conflicting lengths', async () => {
    for (const answer of [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab',
      'HTTP/1.1 200 OK\r\n bad: fold\r\n\r\n',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n',
    ]) {
      const { url } = await raw(1, answer);
      const got = client()
        .exchange(new URL(`${url}/x`), call('GET'))
        .then(text);
      await expect(got).rejects.toThrow();
    }
  });

  it('refuses header values that would split the request', async () => {
    const { url } = await raw(1, 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    await expect(
      client().exchange(new URL(`${url}/x`), { ...call('GET'), headers: { 'x-a': 'b\r\nx-injected: 1' } }),
    ).rejects.toThrow(/invalid header/);
  });
});
