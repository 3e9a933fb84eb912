import type http from 'node:http';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf, loopbackHttpServers } from '@relkit/testkit';
import { RegistryClient } from './client.js';
import { staticCredentials } from './credentials.js';
import { RegistryError } from './errors.js';
import { MediaType } from './manifest.js';

// Small loopback servers that behave like registries the real one cannot imitate: lying about
// sizes, streaming without end, redirecting blobs to storage, speaking the referrers API,
// paginating tags. They listen on 127.0.0.1 only.

const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const loopback = loopbackHttpServers();
const serve = loopback.serve;

afterEach(() => loopback.stopAll());

const rejection = (p: Promise<unknown>) => rejectionOf(p, RegistryError);

const BLOB = `sha256:${'a'.repeat(64)}`;

const EMPTY_INDEX = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }),
);

/**
 * A registry whose realm is its own /token: `tokenService` answers that path, everything else
 * wants `Bearer <token>` and then gets EMPTY_INDEX.
 */
async function bearerRegistry(
  token: string,
  tokenService: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<string> {
  let self = '';
  ({ host: self } = await serve((req, res) => {
    if (req.url?.startsWith('/token')) return tokenService(req, res);
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${self}/token",service="svc"` }).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': MediaType.ociIndex, 'docker-content-digest': sha(EMPTY_INDEX) })
      .end(EMPTY_INDEX);
  }));
  return self;
}

/**
 * A registry that is its own token service, handing out `pull` and `push` tokens (the scope
 * decides) for Basic u:p; it stores one tag, `latest`, and serves EMPTY_INDEX for any other
 * reference. `events` records token answers and requests with the token they carried. The
 * holds (armed by reset(), after a warm-up) make a test about concurrency deterministic: the held
 * side waits for the other, at most 2 s, after which `readsHeld`/`pushHeld` say it had to wait.
 */
async function tokenRegistry(
  holds: { holdPushTokenUntilReads?: number; holdReadsUntilPushAsked?: boolean } = {},
) {
  const events: string[] = [];
  let latest: Buffer | undefined;
  let reads = 0;
  const fallback = () => new Promise((r) => setTimeout(r, 2000));
  let readsReached!: () => void;
  let pushAsked!: () => void;
  const readsDone = new Promise<void>((r) => (readsReached = r));
  const pushAskedFor = new Promise<void>((r) => (pushAsked = r));
  // The holds apply after reset(), not to the warm-up.
  const state = { armed: false, readsHeld: false, pushHeld: false };
  let self = '';
  ({ host: self } = await serve((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (req.url?.startsWith('/token')) {
      const push = new URL(req.url, 'http://x').searchParams.get('scope')!.endsWith(':pull,push');
      const answer = () => {
        events.push(push ? 'push token' : 'pull token');
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: push ? 'push' : 'pull' }));
      };
      if (!push) return answer();
      pushAsked();
      if (!state.armed || holds.holdPushTokenUntilReads === undefined) return answer();
      void Promise.race([readsDone.then(() => false), fallback().then(() => true)]).then((held) => {
        state.pushHeld = held;
        answer();
      });
      return;
    }
    if (auth !== 'Bearer pull' && auth !== 'Bearer push') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${self}/token",service="svc"` }).end();
      return;
    }
    const tag = req.url!.split('/').pop()!;
    const respond = () => {
      events.push(`${req.method} ${tag.startsWith('sha256:') ? 'digest' : tag} (${auth.slice(7)})`);
      if (req.method === 'PUT') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          latest = Buffer.concat(chunks);
          res.writeHead(201, { 'docker-content-digest': sha(latest) }).end();
        });
        return;
      }
      if (++reads === holds.holdPushTokenUntilReads) readsReached();
      const body = tag === 'latest' ? latest : EMPTY_INDEX;
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': MediaType.ociIndex, 'docker-content-digest': sha(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!state.armed || !holds.holdReadsUntilPushAsked || req.method === 'PUT') return respond();
    void Promise.race([pushAskedFor.then(() => false), fallback().then(() => true)]).then((held) => {
      state.readsHeld = held;
      respond();
    });
  }));
  return {
    host: self,
    credentials: staticCredentials(self, { kind: 'basic', username: 'u', password: 'p' }),
    events,
    get readsHeld() {
      return state.readsHeld;
    },
    get pushHeld() {
      return state.pushHeld;
    },
    /** Forgets what the warm-up did. */
    reset() {
      events.length = 0;
      reads = 0;
      state.armed = true;
    },
  };
}

describe('a hostile registry cannot make the client read without end', () => {
  it('refuses a blob whose Content-Length is 10 GB before reading any of it', async () => {
    let sent = 0;
    const { host } = await serve((req, res) => {
      res.writeHead(200, {
        'content-length': String(10 * 1024 ** 3),
        'content-type': 'application/octet-stream',
      });
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (!res.destroyed && sent < 10 * 1024 ** 3 && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => undefined);
      pump();
    });
    const e = await rejection(
      new RegistryClient().getBlob(`${host}/acme/app`, BLOB, { maxBytes: 1024 * 1024 }),
    );
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toContain('10737418240 bytes, above the limit of 1048576 bytes');
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('counts bytes of a body with no length and stops at the limit', async () => {
    let sent = 0;
    let closed = false;
    const { host } = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked, endless
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => {
        closed = true;
      });
      pump();
    });
    const e = await rejection(
      new RegistryClient().getBlob(`${host}/acme/app`, BLOB, { maxBytes: 2 * 1024 * 1024 }),
    );
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toContain('more than');
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('applies the manifest limit too (distribution caps manifests at 4 MiB)', async () => {
    const { host } = await serve((req, res) => {
      res.writeHead(200, { 'content-type': MediaType.ociManifest });
      res.end(Buffer.alloc(100 * 1024, 32));
    });
    const e = await rejection(
      new RegistryClient({ maxManifestBytes: 64 * 1024 }).getManifest(`${host}/acme/app:1.0.0`),
    );
    expect(e.code).toBe('TOO_LARGE');
  });
});

describe('redirects to blob storage', () => {
  it('follows the redirect without the Authorization header, and checks the digest', async () => {
    const content = Buffer.from('layer bytes');
    const digest = sha(content);
    const seen: { auth: string | undefined; path: string | undefined }[] = [];
    const storage = await serve((req, res) => {
      seen.push({ auth: req.headers.authorization, path: req.url });
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(content);
    });
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
        return;
      }
      res.writeHead(307, { location: `http://${storage.host}/bucket/blob?X-Signature=secret-sig` }).end();
    });
    const client = new RegistryClient({
      credentials: staticCredentials(registry.host, { kind: 'basic', username: 'u', password: 'p' }),
    });
    const bytes = await client.getBlob(`${registry.host}/acme/app`, digest);
    expect(Buffer.from(bytes).equals(content)).toBe(true);
    expect(seen).toEqual([{ auth: undefined, path: '/bucket/blob?X-Signature=secret-sig' }]);
  });

  it('keeps signed query strings out of error messages', async () => {
    const storage = await serve((req, res) => {
      res.writeHead(500).end();
    });
    const registry = await serve((req, res) => {
      res.writeHead(302, { location: `http://${storage.host}/bucket/blob?X-Signature=secret-sig` }).end();
    });
    const e = await rejection(new RegistryClient({ retries: 0 }).getBlob(`${registry.host}/acme/app`, BLOB));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain(`GET ${storage.host}/bucket/blob`);
    expect(e.message).not.toContain('secret-sig');
  });
});

describe('protocol details', () => {
  it('refuses a Bearer realm over plain HTTP on a non-loopback host, before sending anything there', async () => {
    const { host } = await serve((req, res) => {
      res
        .writeHead(401, { 'www-authenticate': 'Bearer realm="http://auth.example.test/token",service="x"' })
        .end();
    });
    const client = new RegistryClient({
      credentials: staticCredentials(host, { kind: 'basic', username: 'u', password: 'p' }),
    });
    const e = await rejection(client.headManifest(`${host}/acme/app:1.0.0`));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('plain HTTP');
    expect(client.stats.tokenRequests).toBe(0);
  });

  it('exchanges a docker identity token (OAuth2 refresh token) at the token service by POST', async () => {
    const forms: URLSearchParams[] = [];
    const host = await bearerRegistry('oauth-access', (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.method === 'POST') forms.push(new URLSearchParams(body));
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: 'oauth-access', expires_in: 300 }));
      });
    });
    const client = new RegistryClient({
      credentials: staticCredentials(host, { kind: 'identity-token', token: 'refresh-me' }),
    });
    expect((await client.getManifest(`${host}/acme/app:1.0.0`)).digest).toBe(sha(EMPTY_INDEX));
    expect(Object.fromEntries(forms[0]!)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-me',
      client_id: 'relkit',
      service: 'svc',
      scope: 'repository:acme/app:pull',
    });
  });

  it('follows a token service redirect, but sends the login only to the origin that asked for it', async () => {
    const seen: { at: string; authorization: string | undefined }[] = [];
    const issuer = await serve((req, res) => {
      seen.push({ at: 'issuer', authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'issued' }));
    });
    const host = await bearerRegistry('issued', (req, res) => {
      seen.push({ at: 'registry', authorization: req.headers.authorization });
      res.writeHead(307, { location: `http://${issuer.host}/issue${req.url!.slice('/token'.length)}` }).end();
    });
    const client = new RegistryClient({
      credentials: staticCredentials(host, { kind: 'basic', username: 'u', password: 'secret' }),
    });
    expect((await client.getManifest(`${host}/acme/app:1.0.0`)).digest).toBe(sha(EMPTY_INDEX));
    expect(seen).toEqual([
      { at: 'registry', authorization: `Basic ${Buffer.from('u:secret').toString('base64')}` },
      { at: 'issuer', authorization: undefined },
    ]);
  });

  it('retags with the pull token at hand while the push token is fetched alongside the reads', async () => {
    // The push token is held until both reads of the retag have arrived: a client that waited
    // for it before reading would only get it after the 2 s fallback.
    const r = await tokenRegistry({ holdPushTokenUntilReads: 2 });
    const client = new RegistryClient({ credentials: r.credentials });
    await client.getManifest(`${r.host}/acme/app:1.0.0`); // as promote's gates do
    r.reset();
    const moved = await client.retag(`${r.host}/acme/app:1.0.0`, 'latest');
    expect(moved).toMatchObject({ changed: true, digest: sha(EMPTY_INDEX) });
    expect(r.events.slice(0, 2).sort()).toEqual(['GET 1.0.0 (pull)', 'HEAD latest (pull)']);
    // The first read-back HEAD is pipelined behind the PUT; node:http's server runs it before
    // the PUT's body is stored (it handles pipelined requests in parallel), so it still sees the
    // tag without the digest and the client reads the tag again once the PUT is answered.
    expect(r.events.slice(2)).toEqual([
      'push token',
      'PUT latest (push)',
      'HEAD latest (pull)',
      'HEAD latest (pull)',
    ]);
    expect(r.pushHeld).toBe(false);
  });

  it('prepareWrite fetches the push token alongside the guard read, and the write reuses it', async () => {
    // The guard read is held until the push token has been asked for: without prepareWrite it
    // would wait for the 2 s fallback.
    const r = await tokenRegistry({ holdReadsUntilPushAsked: true });
    const client = new RegistryClient({ credentials: r.credentials });
    await client.getManifest(`${r.host}/acme/app@${sha(EMPTY_INDEX)}`);
    r.reset();
    client.prepareWrite(`${r.host}/acme/app`);
    expect(await client.headManifest(`${r.host}/acme/app:latest`)).toBeUndefined();
    await client.putManifest(`${r.host}/acme/app:latest`, {
      bytes: EMPTY_INDEX,
      mediaType: MediaType.ociIndex,
    });
    expect(r.events).toEqual(['push token', 'HEAD latest (pull)', 'PUT latest (push)']);
    expect(r.readsHeld).toBe(false);
    expect(client.stats.tokenRequests).toBe(2);
  });

  it('sends a configured registry token as Bearer without a token service', async () => {
    const { host } = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer static-token') {
        res
          .writeHead(401, { 'www-authenticate': 'Bearer realm="http://127.0.0.1:1/never",service="svc"' })
          .end();
        return;
      }
      res.writeHead(404).end();
    });
    const client = new RegistryClient({
      credentials: staticCredentials(host, { kind: 'bearer', token: 'static-token' }),
    });
    expect(await client.headManifest(`${host}/acme/app:1.0.0`)).toBeUndefined();
    expect(client.stats.tokenRequests).toBe(0);
  });

  it('follows Link pages of the tag list', async () => {
    const pages: Record<string, { tags: string[]; next?: string }> = {
      '/v2/acme/app/tags/list?n=2': {
        tags: ['1.0.0', '1.1.0'],
        next: '/v2/acme/app/tags/list?last=1.1.0&n=2',
      },
      '/v2/acme/app/tags/list?last=1.1.0&n=2': {
        tags: ['1.2.0', 'latest'],
        next: '/v2/acme/app/tags/list?last=latest&n=2',
      },
      '/v2/acme/app/tags/list?last=latest&n=2': { tags: [] },
    };
    const { host } = await serve((req, res) => {
      const p = pages[req.url ?? ''];
      if (!p) return void res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(p.next ? { link: `<${p.next}>; rel="next"` } : {}),
      });
      res.end(JSON.stringify({ name: 'acme/app', tags: p.tags }));
    });
    expect(await new RegistryClient().listTags(`${host}/acme/app`, { pageSize: 2 })).toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
      'latest',
    ]);
    const e = await rejection(
      new RegistryClient().listTags(`${host}/acme/app`, { pageSize: 2, maxPages: 2 }),
    );
    expect(e.code).toBe('PROTOCOL');
  });

  it('uses the OCI 1.1 referrers API with artifactType, filtering itself when the registry did not', async () => {
    const subject = `sha256:${'b'.repeat(64)}`;
    const manifests = [
      {
        mediaType: MediaType.ociManifest,
        digest: `sha256:${'1'.repeat(64)}`,
        size: 10,
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      },
      {
        mediaType: MediaType.ociManifest,
        digest: `sha256:${'2'.repeat(64)}`,
        size: 10,
        artifactType: 'application/spdx+json',
      },
    ];
    const urls: string[] = [];
    let applyFilter = true;
    const { host } = await serve((req, res) => {
      urls.push(req.url ?? '');
      const want = new URL(req.url ?? '/', 'http://x').searchParams.get('artifactType');
      const list = want && applyFilter ? manifests.filter((m) => m.artifactType === want) : manifests;
      res.writeHead(200, {
        'content-type': MediaType.ociIndex,
        ...(want && applyFilter ? { 'oci-filters-applied': 'artifactType' } : {}),
      });
      res.end(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: list }));
    });
    const client = new RegistryClient();
    const r = await client.referrers(`${host}/acme/app@${subject}`, {
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    });
    expect(r.via).toBe('api');
    expect(r.manifests.map((m) => m.digest)).toEqual([manifests[0]!.digest]);
    // The API is asked with the filter (the fallback tag is read at the same time, and ignored).
    expect(urls.filter((u) => u.includes('/referrers/'))).toEqual([
      `/v2/acme/app/referrers/${subject}?artifactType=application%2Fvnd.dev.sigstore.bundle.v0.3%2Bjson`,
    ]);
    expect(urls).toContain(`/v2/acme/app/manifests/sha256-${'b'.repeat(64)}`);
    applyFilter = false;
    const again = await client.referrers(`${host}/acme/app@${subject}`, {
      artifactType: 'application/spdx+json',
    });
    expect(again.manifests.map((m) => m.digest)).toEqual([manifests[1]!.digest]);
    expect((await client.referrers(`${host}/acme/app@${subject}`)).manifests).toHaveLength(2);
  });

  it('follows Link pages of the referrers API, within one size limit, and stops a Link that loops', async () => {
    // A registry may page the referrers index (OCI distribution 1.1): the signature on page 2
    // was reported missing when only the first page was read.
    const subject = `sha256:${'d'.repeat(64)}`;
    const descriptor = (n: string, artifactType: string) => ({
      mediaType: MediaType.ociManifest,
      digest: `sha256:${n.repeat(64)}`,
      size: 10,
      artifactType,
    });
    const base = `/v2/acme/app/referrers/${subject}`;
    let loop = false;
    const { host } = await serve((req, res) => {
      const url = req.url ?? '';
      if (!url.startsWith(base)) return void res.writeHead(404).end();
      const second = url.includes('page=2');
      const next = loop ? base : second ? undefined : `${base}?page=2`;
      res.writeHead(200, {
        'content-type': MediaType.ociIndex,
        ...(next ? { link: `<${next}>; rel="next"` } : {}),
      });
      const manifests = second
        ? [descriptor('4', 'application/vnd.dev.sigstore.bundle.v0.3+json')]
        : [descriptor('3', 'application/spdx+json')];
      res.end(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }));
    });
    const client = new RegistryClient();
    const r = await client.referrers(`${host}/acme/app@${subject}`, {
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    });
    expect(r.via).toBe('api');
    expect(r.manifests.map((m) => m.digest)).toEqual([`sha256:${'4'.repeat(64)}`]);
    loop = true;
    const e = await rejection(client.referrers(`${host}/acme/app@${subject}`));
    expect(e.code).toBe('PROTOCOL');
    expect(e.message).toContain('the Link pages loop');
  });

  it('refuses a registry that stores a different digest than the bytes it was given', async () => {
    const { host } = await serve((req, res) => {
      req.resume();
      if (req.method === 'PUT') {
        res.writeHead(201, { 'docker-content-digest': `sha256:${'c'.repeat(64)}` }).end();
        return;
      }
      res.writeHead(404).end();
    });
    const bytes = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }),
    );
    const e = await rejection(
      new RegistryClient().putManifest(`${host}/acme/app:latest`, { bytes, mediaType: MediaType.ociIndex }),
    );
    expect(e.code).toBe('DIGEST_MISMATCH');
    expect(e.message).toContain('it changed the manifest');
  });

  it('holds at most concurrencyPerHost exchanges in flight per registry', async () => {
    let inFlight = 0;
    let peak = 0;
    const { host } = await serve((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(404).end();
      }, 30);
    });
    const client = new RegistryClient({ concurrencyPerHost: 2 });
    const heads = await Promise.all(
      Array.from({ length: 8 }, (_, i) => client.headManifest(`${host}/acme/app:${i}`)),
    );
    expect(heads.every((h) => h === undefined)).toBe(true);
    expect(peak).toBe(2);
  });

  it('refuses a schema-1 manifest with UNSUPPORTED and a hint', async () => {
    const { host } = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
      res.end(JSON.stringify({ schemaVersion: 1, name: 'acme/app', tag: 'old', fsLayers: [] }));
    });
    const e = await rejection(new RegistryClient().getManifest(`${host}/acme/app:old`));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toContain('schema-1');
  });
});
