import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  pushTestImage,
  skopeoDigest,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type LocalRegistry,
  type PushedImage,
  rejectionOf,
} from '@relkit/testkit';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import { RegistryError, isTransient } from './errors.js';

const rejection = (p: Promise<unknown>) => rejectionOf(p, RegistryError);

describe('RegistryClient through the fault proxy', () => {
  let registry: LocalRegistry;
  let proxy: FaultProxy;
  let img: PushedImage;
  let old: PushedImage;
  let ref: string;
  const client = (o: RegistryClientOptions = {}) => new RegistryClient({ backoffBaseMs: 20, ...o });

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    proxy = await startFaultProxy(registry.url);
    old = await pushTestImage(registry, { repository: 'acme/app', tag: '1.0.0', seed: 'old' });
    img = await pushTestImage(registry, { repository: 'acme/app', tag: '1.2.3', seed: 'new' });
    ref = `${proxy.host}/acme/app:1.2.3`;
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });
  beforeEach(async () => {
    proxy.clearRules();
    proxy.setLatency(0);
    await new RegistryClient().retag(`${registry.host}/acme/app:1.0.0`, 'latest');
    proxy.resetLog();
  });

  it('rides out a 429 storm, honouring Retry-After', async () => {
    proxy.addRule({
      match: /^GET \/v2\/acme\/app\/manifests\//,
      times: 3,
      fault: { kind: 'status', status: 429, retryAfter: '0' },
    });
    proxy.addRule({ match: /^PUT /, times: 1, fault: { kind: 'status', status: 429, retryAfter: '1' } });
    const c = client();
    const r = await c.retag(ref, 'latest');
    expect(r).toMatchObject({ digest: img.digest, changed: true });
    expect(proxy.log.filter((l) => l.faulted && l.status === 429)).toHaveLength(4);
    expect(c.stats.retries).toBe(4);
    expect(await skopeoDigest(registry, 'acme/app:latest')).toBe(img.digest);
  });

  it('gives up with RATE_LIMITED when the storm outlasts the retries, and says when to come back', async () => {
    proxy.addRule({ match: /^HEAD /, fault: { kind: 'status', status: 429, retryAfter: '0' } });
    const e = await rejection(client({ retries: 2 }).resolveDigest(ref));
    expect(e.code).toBe('RATE_LIMITED');
    expect(isTransient(e)).toBe(true);
    expect(proxy.log).toHaveLength(3);
  });

  it('does not sleep through a Retry-After longer than the cap: RATE_LIMITED at once, with the wait', async () => {
    proxy.addRule({ match: /^HEAD /, fault: { kind: 'status', status: 429, retryAfter: '3600' } });
    const e = await rejection(client().resolveDigest(ref));
    expect(e).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 3_600_000, status: 429 });
    expect(e.message).toContain('try again in 3600 s');
    expect(proxy.log).toHaveLength(1);
  });

  it.each([502, 503, 504])('retries %i', async (status) => {
    proxy.addRule({ match: /^GET /, times: 2, fault: { kind: 'status', status } });
    const m = await client().getManifest(ref);
    expect(m.digest).toBe(img.digest);
    expect(proxy.log.map((l) => l.status)).toEqual([status, status, 200]);
  });

  it('reports an outage that does not end as UNAVAILABLE ("could not look", not "not there")', async () => {
    proxy.addRule({ match: /^HEAD /, fault: { kind: 'status', status: 503 } });
    const e = await rejection(client({ retries: 1 }).headManifest(ref));
    expect(e.code).toBe('UNAVAILABLE');
  });

  it('survives dropped connections', async () => {
    proxy.addRule({ match: /^GET /, times: 2, fault: { kind: 'drop' } });
    proxy.addRule({ match: /^PUT /, times: 1, fault: { kind: 'drop' } });
    const r = await client().retag(ref, 'latest');
    expect(r.changed).toBe(true);
    expect(proxy.log.filter((l) => l.status === 'dropped')).toHaveLength(3);
    expect(await skopeoDigest(registry, 'acme/app:latest')).toBe(img.digest);
  });

  it('reports a host that keeps dropping connections as NETWORK', async () => {
    proxy.addRule({ match: /^HEAD /, fault: { kind: 'drop' } });
    const e = await rejection(client({ retries: 1 }).headManifest(ref));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toContain(`HEAD ${proxy.host}/v2/acme/app/manifests/1.2.3`);
  });

  it('times out a slow response per attempt and retries it', async () => {
    proxy.addRule({ match: /^GET /, times: 1, fault: { kind: 'delay', ms: 6000 } });
    const m = await client({ timeoutMs: 1500 }).getManifest(ref);
    expect(m.digest).toBe(img.digest);
    const e = await (async () => {
      proxy.addRule({ match: /^GET /, times: 1, fault: { kind: 'delay', ms: 6000 } });
      return rejection(client({ timeoutMs: 1500, retries: 0 }).getManifest(ref));
    })();
    expect(e.code).toBe('TIMEOUT');
  });

  it('works with latency on every request', async () => {
    proxy.setLatency(50);
    const r = await client().retag(ref, 'latest');
    expect(r.digest).toBe(img.digest);
  });

  it('refuses a manifest whose bytes do not match its digest (DIGEST_MISMATCH) and writes nothing', async () => {
    proxy.addRule({ match: /^GET \/v2\/acme\/app\/manifests\/1\.2\.3/, fault: { kind: 'corrupt' } });
    const c = client();
    const e = await rejection(c.getManifest(ref));
    expect(e.code).toBe('DIGEST_MISMATCH');
    expect(e.message).toContain(`the registry says the manifest is ${img.digest}`);
    const r = await rejection(c.retag(ref, 'latest'));
    expect(r.code).toBe('DIGEST_MISMATCH');
    expect(proxy.log.some((l) => l.method === 'PUT')).toBe(false);
    expect(await skopeoDigest(registry, 'acme/app:latest')).toBe(old.digest);
  });

  it('refuses a corrupted blob and a manifest that does not match the digest asked for', async () => {
    proxy.addRule({ match: /^GET \/v2\/acme\/app\/blobs\//, fault: { kind: 'corrupt' } });
    const m = await client().getManifest(`${proxy.host}/acme/app@${img.platforms[0]!.digest}`);
    if (m.manifest.kind !== 'image') throw new Error('expected an image manifest');
    const e = await rejection(client().getBlob(`${proxy.host}/acme/app`, m.manifest.config.digest));
    expect(e.code).toBe('DIGEST_MISMATCH');
  });

  it('works with one connection per host: retag (parallel HEAD and GET) and copy (streamed blobs) do not deadlock', async () => {
    const c = client({ concurrencyPerHost: 1 });
    expect((await c.retag(ref, 'latest')).digest).toBe(img.digest);
    const copied = await c.copy(ref, `${proxy.host}/acme/other:1.2.3`);
    expect(copied).toMatchObject({ digest: img.digest, blobsMounted: 4 });
  });

  it('stops at once when the caller aborts, even in the middle of a backoff', async () => {
    proxy.addRule({ match: /^HEAD /, fault: { kind: 'status', status: 429, retryAfter: '30' } });
    const ac = new AbortController();
    const p = client().resolveDigest(ref, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user pressed Ctrl-C')), 100);
    const e = await rejection(p);
    expect(e.code).toBe('ABORTED');
    expect(e.message).toContain('user pressed Ctrl-C');
  });
});
