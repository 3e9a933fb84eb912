import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pushTestImage,
  skopeoDigest,
  startForwardProxy,
  startRegistry,
  type ForwardProxy,
  type LocalRegistry,
  type PushedImage,
} from '@relkit/testkit';
import { RegistryClient } from './client.js';
import { proxySettings } from './http.js';

// A real forward proxy on loopback in front of the real registry. The registry is reached as
// [::ffff:7f00:1] (127.0.0.1 written so that it does not count as loopback), since loopback is
// never proxied; it speaks plain HTTP, so that name is marked insecure.

let registry: LocalRegistry;
let proxy: ForwardProxy;
let image: PushedImage;
let remote: string;
beforeAll(async () => {
  registry = await startRegistry({ auth: 'none' });
  proxy = await startForwardProxy();
  image = await pushTestImage(registry, { repository: 'acme/app', tag: '1.2.3', seed: 'proxy' });
  remote = `[::ffff:7f00:1]:${registry.host.split(':')[1]}`;
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

describe('HTTP proxies from the environment', () => {
  it('sends every request through HTTP_PROXY, and the retag is byte-exact', async () => {
    const client = new RegistryClient({ insecureRegistries: [remote], proxyEnv: { HTTP_PROXY: proxy.url } });
    const moved = await client.retag(`${remote}/acme/app:1.2.3`, 'proxied');
    expect(moved.digest).toBe(image.digest);
    expect(await skopeoDigest(registry, 'acme/app:proxied')).toBe(image.digest);
    expect(proxy.log).toEqual(
      expect.arrayContaining([
        `GET http://${remote}/v2/acme/app/manifests/1.2.3`,
        `PUT http://${remote}/v2/acme/app/manifests/proxied`,
      ]),
    );
    expect(proxy.log).toHaveLength(client.stats.requests);
    // Through a proxy nothing is pipelined (it may split the requests): the read-back HEAD
    // goes after the PUT's answer, and the 4 requests of a retag are all it takes.
    expect(client.stats.requests).toBe(4);
    expect(proxy.log.slice(-2)).toEqual([
      `PUT http://${remote}/v2/acme/app/manifests/proxied`,
      `HEAD http://${remote}/v2/acme/app/manifests/proxied`,
    ]);
  });

  it('never proxies loopback, and proxyEnv: false turns proxies off', async () => {
    const before = proxy.log.length;
    const viaLoopback = new RegistryClient({ proxyEnv: { http_proxy: proxy.url } });
    expect(await viaLoopback.resolveDigest(`${registry.host}/acme/app:1.2.3`)).toBe(image.digest);
    const off = new RegistryClient({ insecureRegistries: [remote], proxyEnv: false });
    expect(await off.resolveDigest(`${remote}/acme/app:1.2.3`)).toBe(image.digest);
    expect(proxy.log.length).toBe(before);
  });

  it('reads the proxy variables in either case and keeps the NO_PROXY the user gave', () => {
    expect(proxySettings({})).toBeUndefined();
    expect(proxySettings({ https_proxy: 'http://proxy:3128', no_proxy: '.corp' })).toEqual({
      HTTPS_PROXY: 'http://proxy:3128',
      NO_PROXY: '.corp,localhost,127.0.0.1,::1',
    });
    expect(proxySettings({ HTTP_PROXY: 'http://p:1', http_proxy: 'http://ignored:2' })).toEqual({
      HTTP_PROXY: 'http://p:1',
      NO_PROXY: 'localhost,127.0.0.1,::1',
    });
  });
});
