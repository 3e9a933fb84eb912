import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type LocalRegistry, type RegistryAuthMode } from './registry.js';
import { OciWriter, MediaTypes } from './oci-writer.js';
import { pushTestImage } from './test-image.js';
import { skopeoDigest, skopeoInspect } from './skopeo.js';

describe.each<RegistryAuthMode>(['none', 'basic', 'token'])('real registry, auth=%s', (auth) => {
  let registry: LocalRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('refuses anonymous pushes unless auth is off', async () => {
    const res = await fetch(`${registry.url}/v2/`);
    expect(res.status).toBe(auth === 'none' ? 200 : 401);
    if (auth === 'token')
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token"/);
    if (auth === 'basic') expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it.each(['oci-index', 'docker-list', 'oci-single'] as const)(
    'holds a pushed %s image that skopeo reads with the same digest',
    async (format) => {
      const img = await pushTestImage(registry, { repository: `acme/app-${format}`, tag: '1.2.3', format });
      expect(await skopeoDigest(registry, `${img.repository}:1.2.3`)).toBe(img.digest);
      const inspected = (await skopeoInspect(registry, `${img.repository}:1.2.3`)) as {
        Architecture: string;
        Os: string;
      };
      expect(inspected).toMatchObject({ Architecture: 'amd64', Os: 'linux' });
      if (format !== 'oci-single') {
        expect(img.platforms.map((p) => p.architecture)).toEqual(['amd64', 'arm64']);
        const raw = (await skopeoInspect(registry, `${img.repository}:1.2.3`, true)) as {
          mediaType: string;
          manifests: unknown[];
        };
        expect(raw.mediaType).toBe(format === 'oci-index' ? MediaTypes.ociIndex : MediaTypes.dockerList);
        expect(raw.manifests).toHaveLength(2);
      }
    },
  );

  it('pushes deterministic digests: the same seed twice gives the same digest, another seed another', async () => {
    const a = await pushTestImage(registry, { repository: 'acme/det', tag: '1.0.0', seed: 's1' });
    const b = await pushTestImage(registry, { repository: 'acme/det-copy', tag: '1.0.0', seed: 's1' });
    const c = await pushTestImage(registry, { repository: 'acme/det', tag: '1.0.0-other', seed: 's2' });
    expect(a.digest).toBe(b.digest);
    expect(c.digest).not.toBe(a.digest);
    const got = await OciWriter.for(registry).getManifest('acme/det', '1.0.0');
    expect(got?.digest).toBe(a.digest);
  });
});
