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
import { staticCredentials } from './credentials.js';

describe('copy across registries (blobs streamed, no mount possible)', () => {
  let from: LocalRegistry;
  let to: LocalRegistry;
  let proxy: FaultProxy;
  beforeAll(async () => {
    [from, to] = await Promise.all([startRegistry({ auth: 'none' }), startRegistry({ auth: 'token' })]);
    proxy = await startFaultProxy(from.url);
  });
  afterAll(async () => {
    await proxy?.stop();
    await from?.stop();
    await to?.stop();
  });

  it.each(['oci-index', 'docker-list', 'docker-single'] as const)(
    'copies a %s with the same digest',
    async (format) => {
      const img = await pushTestImage(from, { repository: `staging/${format}`, tag: '1.2.3', format });
      const client = new RegistryClient({
        credentials: staticCredentials(to.host, { kind: 'basic', ...to.credentials! }),
      });
      const r = await client.copy(`${from.host}/staging/${format}:1.2.3`, `${to.host}/prod/${format}:1.2.3`);
      const blobs = format === 'docker-single' ? 2 : 4;
      expect(r).toMatchObject({ digest: img.digest, changed: true, blobsCopied: blobs, blobsMounted: 0 });
      expect(await skopeoDigest(to, `prod/${format}:1.2.3`)).toBe(img.digest);
      // Every blob is really there: skopeo can copy the image out of the target, layers included.
      const back = await client.copy(
        `${to.host}/prod/${format}:1.2.3`,
        `${from.host}/roundtrip/${format}:1.2.3`,
      );
      expect(back).toMatchObject({ digest: img.digest, blobsCopied: blobs });
    },
  );

  it('refuses a blob corrupted on the way (the target checks the digest) and tags nothing', async () => {
    const img = await pushTestImage(from, {
      repository: 'staging/corrupt',
      tag: '1.0.0',
      format: 'oci-single',
    });
    proxy.addRule({ match: /^GET \/v2\/staging\/corrupt\/blobs\//, fault: { kind: 'corrupt' } });
    const client = new RegistryClient({
      credentials: staticCredentials(to.host, { kind: 'basic', ...to.credentials! }),
    });
    const e = await client
      .copy(`${proxy.host}/staging/corrupt:1.0.0`, `${to.host}/prod/corrupt:1.0.0`)
      .catch((x: unknown) => x);
    expect(e).toMatchObject({
      name: 'RegistryError',
      code: 'DIGEST_MISMATCH',
      registryCode: 'DIGEST_INVALID',
    });
    expect(await client.headManifest(`${to.host}/prod/corrupt:1.0.0`)).toBeUndefined();
    proxy.clearRules();
    const ok = await client.copy(`${proxy.host}/staging/corrupt:1.0.0`, `${to.host}/prod/corrupt:1.0.0`);
    expect(ok.digest).toBe(img.digest);
  });
});
