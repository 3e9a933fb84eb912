import type http from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf, loopbackHttpServers } from '@relkit/testkit';
import { parseChallenge } from './auth.js';
import { RegistryClient } from './client.js';
import { staticCredentials } from './credentials.js';
import { RegistryError } from './errors.js';
import { MediaType } from './manifest.js';

// Loopback servers that act as hostile registries, token services and blob storage where the
// fault proxy cannot: a token that would inject headers, a storage host that challenges for
// the registry's credentials, tag pages that loop. 127.0.0.1 only; no timing assertions.

const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const tcpServers: Server[] = [];

const loopback = loopbackHttpServers();
const serve = loopback.serve;

afterEach(async () => {
  for (const s of tcpServers.splice(0)) s.close();
  await loopback.stopAll();
});

const rejection = (p: Promise<unknown>) => rejectionOf(p, RegistryError);
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('a hostile token service', () => {
  it('a token that would inject header lines is refused at once (PROTOCOL), never sent', async () => {
    const seen: string[] = [];
    let self = '';
    ({ host: self } = await serve((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith('/token')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: 'abc\r\nx-injected: 1' }));
        return;
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${self}/token",service="svc"` }).end();
    }));
    const client = new RegistryClient({ backoffBaseMs: 1 });
    const e = await rejection(client.getBlob(`${self}/acme/app`, `sha256:${'a'.repeat(64)}`));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('token service');
    expect(client.stats.retries).toBe(0);
    expect(seen).toHaveLength(2);
  });
});

describe('blob storage behind a redirect', () => {
  it('a 401 from the storage host is not taken for the registry challenge: no login goes there', async () => {
    const content = Buffer.from('layer');
    const seen: { path: string | undefined; auth: string | undefined }[] = [];
    let storage = '';
    ({ host: storage } = await serve((req, res) => {
      seen.push({ path: req.url, auth: req.headers.authorization });
      if (req.url?.startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 't' }));
        return;
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${storage}/token",service="s"` }).end();
    }));
    const registry = await serve((req, res) => {
      res.writeHead(307, { location: `http://${storage}/bucket/blob` }).end();
    });
    const client = new RegistryClient({
      credentials: staticCredentials(registry.host, { kind: 'basic', username: 'u', password: 'secret' }),
    });
    const e = await rejection(client.getBlob(`${registry.host}/acme/app`, sha(content)));
    expect(seen.map((s) => s.auth)).not.toContain(basic('u', 'secret'));
    expect(seen.filter((s) => s.path?.startsWith('/token'))).toEqual([]);
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.message).toContain(storage);
  });
});

/** A registry whose realm is its own /token; `token` answers there, the rest wants `Bearer ok`. */
async function tokenRegistry(
  token: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (req, res) =>
    res.writeHead(404).end(),
): Promise<{ host: string; seen: string[] }> {
  const seen: string[] = [];
  let self = '';
  ({ host: self } = await serve((req, res) => {
    seen.push(`${req.method} ${req.url?.split('?')[0]} ${req.headers.authorization ?? '-'}`);
    if (req.url?.startsWith('/token')) return token(req, res);
    if (req.headers.authorization !== 'Bearer ok') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${self}/token",service="svc"` }).end();
      return;
    }
    answer(req, res);
  }));
  return { host: self, seen };
}

const json = (res: http.ServerResponse, body: unknown) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('a hostile token service, more', () => {
  it('a registry that refuses every issued token with the same challenge: one re-login, then UNAUTHORIZED', async () => {
    const r = await tokenRegistry((req, res) => json(res, { token: 'not-ok' }));
    const client = new RegistryClient({
      credentials: staticCredentials(r.host, { kind: 'basic', username: 'u', password: 'p' }),
    });
    const e = await rejection(client.headManifest(`${r.host}/acme/app:1.0.0`));
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.message).toContain('even after a fresh login');
    expect(r.seen.filter((s) => s.startsWith('HEAD'))).toHaveLength(2);
    expect(client.stats.tokenRequests).toBe(1);
  });

  it('an endless token answer is cut at 1 MiB (TOO_LARGE naming the token service)', async () => {
    const r = await tokenRegistry((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 32);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const e = await rejection(new RegistryClient().headManifest(`${r.host}/acme/app:1.0.0`));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toContain(`the token service http://${r.host}/token`);
  });

  it('a token service that stalls after its headers fails within the deadline, naming it', async () => {
    const r = await tokenRegistry((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"tok');
    });
    const e = await rejection(
      new RegistryClient({ deadlineMs: 800 }).headManifest(`${r.host}/acme/app:1.0.0`),
    );
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toContain(`${r.host} did not answer within 0.8 s`);
  });

  it('non-JSON, JSON without a token, and a token with absurd expires_in', async () => {
    const answers: (() => unknown)[] = [() => 'not json {', () => ({ expires: 1 })];
    let next: (res: http.ServerResponse) => void = () => undefined;
    const r = await tokenRegistry((req, res) => next(res));
    for (const a of answers) {
      next = (res) => {
        const body = a();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      const e = await rejection(new RegistryClient().headManifest(`${r.host}/acme/app:1.0.0`));
      expect(e.code).toBe('PROTOCOL');
      expect(e.message).toContain('returned no token');
    }
    for (const expires_in of [-5, 1e308, 'soon']) {
      next = (res) => json(res, { token: 'ok', expires_in });
      const client = new RegistryClient();
      expect(await client.headManifest(`${r.host}/acme/app:1.0.0`)).toBeUndefined();
      expect(await client.headManifest(`${r.host}/acme/app:1.0.1`)).toBeUndefined();
      expect(client.stats.tokenRequests).toBe(1);
    }
  });

  it('a realm that is no http(s) URL, or has none, is refused before any token request', async () => {
    for (const challenge of [
      () => 'Bearer realm="file:///etc/passwd",service="x"',
      () => 'Bearer service="x"',
      () => 'Bearer realm="http://[bad",service="x"',
      (host: string) => `Bearer realm="http://${host}/token`, // unterminated quotes
    ]) {
      let self = '';
      ({ host: self } = await serve((req, res) =>
        res.writeHead(401, { 'www-authenticate': challenge(self) }).end(),
      ));
      const client = new RegistryClient({
        credentials: staticCredentials(self, { kind: 'basic', username: 'u', password: 'p' }),
      });
      const e = await rejection(client.headManifest(`${self}/acme/app:1.0.0`));
      expect(e.code).toBe('PROTOCOL');
      expect(e.message).toContain(challenge(self).includes('file:') ? 'file: URL' : 'realm');
      expect(client.stats.tokenRequests).toBe(0);
      expect(client.stats.retries).toBe(0);
    }
  });
});

describe('a token service that redirects the login', () => {
  it('a refresh token is not re-posted to another host by a 307', async () => {
    const bodies: string[] = [];
    const issuer = await serve((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(`${req.method} ${body}`);
        json(res, { access_token: 'ok' });
      });
    });
    const r = await tokenRegistry((req, res) => {
      req.resume();
      res.writeHead(307, { location: `http://${issuer.host}/issue` }).end();
    });
    const client = new RegistryClient({
      credentials: staticCredentials(r.host, { kind: 'identity-token', token: 'refresh-secret' }),
    });
    const e = await rejection(client.headManifest(`${r.host}/acme/app:1.0.0`));
    expect(bodies.join()).not.toContain('refresh-secret');
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain(issuer.host);
  });
});

describe('a hostile challenge', () => {
  it('two challenges in one answer (Bearer, then Basic): the Basic realm does not replace the token realm', async () => {
    const r = await tokenRegistry((req, res) => json(res, { token: 'ok' }));
    const both = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer ok') return void res.writeHead(404).end();
      res.setHeader('www-authenticate', [
        `Bearer realm="http://${r.host}/token",service="svc"`,
        'Basic realm="Registry Realm"',
      ]);
      res.writeHead(401).end();
    });
    const client = new RegistryClient({
      credentials: staticCredentials(both.host, { kind: 'basic', username: 'u', password: 'p' }),
    });
    expect(await client.headManifest(`${both.host}/acme/app:1.0.0`)).toBeUndefined();
    expect(client.stats.tokenRequests).toBe(1);
    expect(
      parseChallenge('Bearer realm="https://a/token",service="s", Basic realm="Registry Realm"'),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://a/token', service: 's' },
    });
  });

  it('a 60 KiB WWW-Authenticate of one long word is parsed in linear time', async () => {
    // The one check on time here, with a wide margin: before the fix the parse alone blocked
    // the event loop for seconds (quadratic), twice per 401; now it takes about a millisecond.
    const word = 'a-'.repeat(30_000);
    const server = createTcpServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () =>
        socket.end(
          `HTTP/1.1 401 Unauthorized\r\nwww-authenticate: Bearer ${word}\r\ncontent-length: 0\r\n\r\n`,
        ),
      );
    });
    tcpServers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const started = performance.now();
    const e = await rejection(new RegistryClient().headManifest(`${host}/acme/app:1.0.0`));
    const cpuBound = performance.now() - started;
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('without a realm');
    expect(cpuBound).toBeLessThan(2000);
    expect(Object.keys(parseChallenge(`Bearer ${'a'.repeat(65_000)}`)!.params)).toEqual([]);
  });
});

describe('answers cut short or mislabelled', () => {
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }),
  );

  /** Answers with half the bytes and no length: the closed connection is the body's end. */
  function halfUntilClose(req: http.IncomingMessage, res: http.ServerResponse, bytes: Buffer): void {
    res.socket!.write(
      `HTTP/1.1 200 OK\r\ncontent-type: ${MediaType.ociIndex}\r\ndocker-content-digest: ${sha(bytes)}\r\nconnection: close\r\n\r\n`,
    );
    res.socket!.end(bytes.subarray(0, bytes.length >> 1));
  }

  it('a manifest or blob cut short where the close ends the body is never accepted', async () => {
    const { host } = await serve((req, res) => halfUntilClose(req, res, manifest));
    const client = new RegistryClient({ retries: 0 });
    const m = await rejection(client.getManifest(`${host}/acme/app:1.0.0`));
    expect(m.code).toBe('DIGEST_MISMATCH');
    const b = await rejection(client.getBlob(`${host}/acme/app`, sha(manifest)));
    expect(b.code).toBe('DIGEST_MISMATCH');
  });

  it('a chunked answer cut before its last chunk fails as NETWORK, not as a short manifest', async () => {
    const { host } = await serve((req, res) => {
      res.socket!.write(
        `HTTP/1.1 200 OK\r\ncontent-type: ${MediaType.ociIndex}\r\ntransfer-encoding: chunked\r\n\r\n`,
      );
      res.socket!.end(
        `${(manifest.length >> 1).toString(16)}\r\n${manifest.subarray(0, manifest.length >> 1)}\r\n`,
      );
    });
    const client = new RegistryClient({ retries: 0 });
    expect((await rejection(client.getManifest(`${host}/acme/app:1.0.0`))).code).toBe('NETWORK');
    expect((await rejection(client.getBlob(`${host}/acme/app`, sha(manifest)))).code).toBe('NETWORK');
  });

  it('a Docker-Content-Digest of another algorithm or malformed is refused (DIGEST_MISMATCH)', async () => {
    for (const header of [`sha512:${'a'.repeat(128)}`, 'sha256:nothex', sha(manifest).toUpperCase()]) {
      const { host } = await serve((req, res) => {
        res.writeHead(200, { 'content-type': MediaType.ociIndex, 'docker-content-digest': header });
        res.end(manifest);
      });
      const e = await rejection(new RegistryClient().getManifest(`${host}/acme/app:1.0.0`));
      expect(e.code).toBe('DIGEST_MISMATCH');
    }
  });
});

describe('tag lists that do not end', () => {
  it('a Link that points back to a page already read stops at once', async () => {
    let requests = 0;
    const { host } = await serve((req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json', link: `<${req.url}>; rel="next"` });
      res.end(JSON.stringify({ name: 'acme/app', tags: ['1.0.0'] }));
    });
    const e = await rejection(new RegistryClient().listTags(`${host}/acme/app`));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('loop');
    expect(requests).toBe(1);
  });

  it('pages that keep coming count against one size limit for the whole list', async () => {
    let requests = 0;
    const tags = Array.from({ length: 20_000 }, (_, i) => `t${String(i).padStart(40, '0')}`);
    const { host } = await serve((req, res) => {
      requests++;
      res.writeHead(200, {
        'content-type': 'application/json',
        link: `</v2/acme/app/tags/list?n=1000&last=p${requests}>; rel="next"`,
      });
      res.end(JSON.stringify({ name: 'acme/app', tags }));
    });
    const e = await rejection(new RegistryClient().listTags(`${host}/acme/app`));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toContain(`the tag list of ${host}/acme/app`);
    expect(requests).toBeLessThan(30);
  });
});

describe('redirects that lead nowhere', () => {
  it('a malformed or non-http Location is PROTOCOL at once, not a network failure retried', async () => {
    for (const location of ['http://[bad', 'file:///etc/passwd']) {
      const { host } = await serve((req, res) => res.writeHead(307, { location }).end());
      const client = new RegistryClient({ backoffBaseMs: 1 });
      const e = await rejection(client.getBlob(`${host}/acme/app`, `sha256:${'a'.repeat(64)}`));
      expect(e.code).toBe('PROTOCOL');
      expect(client.stats.retries).toBe(0);
    }
  });

  it('a remote registry that redirects to this machine is not followed (no probing local services)', async () => {
    let probed = 0;
    const { host: local } = await serve((req, res) => {
      probed++;
      res.writeHead(200).end('local secret');
    });
    const { host } = await serve((req, res) =>
      res.writeHead(307, { location: `http://${local}/admin` }).end(),
    );
    // The same server written as a remote host (IPv4-mapped), reached over plain HTTP as insecure.
    const remote = `[::ffff:7f00:1]:${host.split(':')[1]}`;
    const client = new RegistryClient({ insecureRegistries: [remote], proxyEnv: false });
    const e = await rejection(client.getBlob(`${remote}/acme/app`, `sha256:${'a'.repeat(64)}`));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('to this machine');
    expect(probed).toBe(0);
    // Loopback to loopback (a local registry and its local storage) is still followed.
    const e2 = await rejection(new RegistryClient().getBlob(`${host}/acme/app`, `sha256:${'a'.repeat(64)}`));
    expect(e2.code).toBe('DIGEST_MISMATCH');
    expect(probed).toBe(1);
  });

  it('a redirect loop stops after a few hops', async () => {
    let hops = 0;
    const { host } = await serve((req, res) => {
      hops++;
      res.writeHead(302, { location: req.url }).end();
    });
    const e = await rejection(new RegistryClient().getBlob(`${host}/acme/app`, `sha256:${'a'.repeat(64)}`));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('too many redirects');
    expect(hops).toBe(6);
  });
});
