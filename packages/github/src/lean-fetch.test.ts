import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { leanFetch } from './lean-fetch.js';

const servers: http.Server[] = [];
afterEach(async () => {
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
