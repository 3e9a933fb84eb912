import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { leanFetch } from './lean-fetch.js';

const servers: http.Server[] = [];
const rawServers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(rawServers.splice(0).map((s) => new Promise((r) => s.close(r))));
  // The keep-alive pool holds connections open: close them with the servers.
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((r) => s.close(r));
    }),
  );
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const fetchLean = leanFetch({});

describe('leanFetch (the fetch Octokit is given)', () => {
  it('answers status, headers and a body read as text, JSON or bytes; sends method, headers and body', async () => {
    let seen: { method?: string; auth?: string; body?: string } = {};
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { method: req.method, auth: req.headers.authorization, body };
        res.writeHead(201, {
          'content-type': 'application/json; charset=utf-8',
          'x-github-request-id': 'r1',
        });
        res.end('{"id":7}');
      });
    });
    const r = await fetchLean(`${url}/x`, {
      method: 'POST',
      headers: { authorization: 'token t', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(seen).toEqual({ method: 'POST', auth: 'token t', body: '{"a":1}' });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-github-request-id')).toBe('r1');
    expect(Object.fromEntries(r.headers)).toMatchObject({ 'x-github-request-id': 'r1' });
    expect(await r.json()).toEqual({ id: 7 });
  });

  it('decodes a gzip answer', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync('{"ok":true}'));
    });
    expect(await (await fetchLean(url)).text()).toBe('{"ok":true}');
  });

  it('follows redirects, without the Authorization header to another origin', async () => {
    let authThere: string | undefined = 'unset';
    const there = await serve((req, res) => {
      authThere = req.headers.authorization;
      res.end('moved here');
    });
    const here = await serve((_req, res) => {
      res.writeHead(302, { location: `${there}/file` });
      res.end();
    });
    const r = await fetchLean(`${here}/a`, { headers: { authorization: 'token t' } });
    expect(await r.text()).toBe('moved here');
    expect(r.url).toBe(`${there}/file`);
    expect(authThere).toBeUndefined();
  });

  it('rejects with the signal reason when aborted, and with a TypeError naming the cause when it cannot connect', async () => {
    const url = await serve(() => undefined); // never answers
    const controller = new AbortController();
    const pending = fetchLean(url, { signal: controller.signal });
    controller.abort(new Error('deadline'));
    await expect(pending).rejects.toThrow('deadline');
    const e = await fetchLean('http://127.0.0.1:1/').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });
});

describe('leanFetch against a bad network or a hostile server', () => {
  const small = leanFetch({}, { maxAnswerBytes: 1024 });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('refuses an answer past the cap (declared, streamed or inflated) as UNEXPECTED_RESPONSE naming the request', async () => {
    const url = await serve((req, res) => {
      const path = req.url!.replace(/\?.*$/, '');
      if (path === '/declared') return res.end('x'.repeat(2048));
      if (path === '/streamed') {
        res.writeHead(200); // chunked: no length to refuse up front
        for (let i = 0; i < 4; i++) res.write('x'.repeat(512));
        return res.end();
      }
      if (path === '/bomb') {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        return res.end(gzipSync(Buffer.alloc(4096)));
      }
      res.end('x'.repeat(1024));
    });
    const host = new URL(url).host;
    for (const path of ['/declared', '/streamed', '/bomb']) {
      const e = await refusal(small(`${url}${path}?page=2`));
      expect(e).toBeInstanceOf(GitHubError);
      expect(e).toMatchObject({
        code: 'UNEXPECTED_RESPONSE',
        message: `the answer to GET ${host}${path} is larger than ${1024 / 1024 / 1024} MiB: refused`,
      });
    }
    expect((await (await small(`${url}/fits`)).text()).length).toBe(1024);
  });

  it('fails a body that does not decode as its content-encoding says, naming the request', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end('{"not":"gzip"}');
    });
    const e = await refusal(fetchLean(`${url}/x`));
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).cause).toMatchObject({
      message: `the gzip answer to GET ${new URL(url).host}/x does not decode: incorrect header check`,
    });
  });

  it('refuses a redirect to a location that is not http(s), and stops a redirect loop', async () => {
    let hops = 0;
    const url = await serve((req, res) => {
      hops++;
      const to = { '/ftp': 'ftp://127.0.0.1/x', '/file': 'file:///etc/passwd', '/bad': 'http://[::1' }[
        req.url!
      ];
      res.writeHead(302, { location: to ?? req.url! });
      res.end();
    });
    for (const path of ['/ftp', '/file', '/bad']) {
      // Before: node:http's own ERR_INVALID_PROTOCOL / ERR_INVALID_URL, without the `cause` Octokit reads.
      const e = await refusal(fetchLean(`${url}${path}`));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).cause).toMatchObject({
        message: `GET ${new URL(url).host}${path} redirected to a location that is not http(s): refused`,
      });
    }
    hops = 0;
    const loop = await refusal(fetchLean(`${url}/loop`));
    expect((loop as Error).cause).toMatchObject({ message: 'redirect refused or too many' });
    expect(hops).toBe(21);
  });

  it('ends an answer that stalls or breaks mid-body: the signal reason, or a TypeError; its connection is not reused', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.on('error', () => {});
      socket.once('data', (d) => {
        const head = 'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"a":';
        if (d.toString().startsWith('GET /reset')) return socket.end(head); // closed mid-body
        if (d.toString().startsWith('GET /stall')) return socket.write(head); // then nothing
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      });
    });
    rawServers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reset = await refusal(fetchLean(`${url}/reset`));
    expect(reset).toBeInstanceOf(TypeError);
    expect((reset as Error).cause).toMatchObject({ code: 'ECONNRESET' });
    const controller = new AbortController();
    const stalled = fetchLean(`${url}/stall`, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50)); // the headers are in; the body never comes
    controller.abort(new Error('deadline'));
    await expect(stalled).rejects.toThrow('deadline');
    expect(await (await fetchLean(`${url}/ok`)).text()).toBe('ok');
    expect(connections).toBe(3);
  });
});
