import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pushTestImage,
  skopeoDigest,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type LocalRegistry,
} from '@relkit/testkit';
import { RegistryClient } from './client.js';
import { registryPort } from './port.js';

describe('registryPort: the release-core RegistryPort on the real registry', () => {
  let registry: LocalRegistry;
  let proxy: FaultProxy;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    proxy = await startFaultProxy(registry.url);
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('observes, retags (skipping when done), lists and deletes', async () => {
    const img = await pushTestImage(registry, {
      repository: 'acme/app',
      tag: '1.2.3',
      format: 'docker-list',
    });
    const port = registryPort(new RegistryClient({ retries: 0 }));
    const image = `${registry.host}/acme/app`;
    expect(await port.observeManifest(image, '1.2.3')).toEqual({
      state: 'found',
      digest: img.digest,
      mediaType: img.mediaType,
      multiArch: true,
      platforms: img.platforms.map((p) => ({ os: p.os, architecture: p.architecture, digest: p.digest })),
    });
    expect(await port.observeManifest(image, 'latest')).toEqual({ state: 'missing' });
    expect(await port.retag(image, img.digest, 'latest')).toEqual({ digest: img.digest, skipped: false });
    expect(await port.retag(image, img.digest, 'latest')).toEqual({ digest: img.digest, skipped: true });
    expect(await skopeoDigest(registry, 'acme/app:latest')).toBe(img.digest);
    expect([...(await port.listTags(image))].sort()).toEqual(['1.2.3', 'latest']);
    expect(await port.listTags(`${registry.host}/acme/never-pushed`)).toEqual([]);

    const rc = await pushTestImage(registry, { repository: 'acme/app', tag: '1.3.0-rc.1', seed: 'rc' });
    await port.deleteManifest(image, rc.digest);
    await port.deleteManifest(image, rc.digest);
    expect(await port.observeManifest(image, rc.digest)).toEqual({ state: 'missing' });
  });

  it('reports "could not look" as an error observation, never as missing', async () => {
    proxy.addRule({ match: /^GET /, fault: { kind: 'status', status: 503 } });
    const port = registryPort(new RegistryClient({ retries: 0 }));
    const o = await port.observeManifest(`${proxy.host}/acme/app`, '1.2.3');
    expect(o).toMatchObject({ state: 'error', code: 'UNAVAILABLE' });
    proxy.clearRules();
  });
});
