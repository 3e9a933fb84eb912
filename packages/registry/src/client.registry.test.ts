import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MediaTypes,
  OciWriter,
  pushTestImage,
  sha256,
  skopeo,
  skopeoDigest,
  startGhcrFront,
  startRegistry,
  type LocalRegistry,
  type RegistryAuthMode,
  rejectionOf,
} from '@relkit/testkit';
import { staticCredentials } from './credentials.js';
import { RegistryClient } from './client.js';
import { referrersTag } from './tags.js';
import { RegistryError } from './errors.js';
import { MediaType } from './manifest.js';

function clientFor(registry: LocalRegistry, extra: ConstructorParameters<typeof RegistryClient>[0] = {}) {
  return new RegistryClient({
    ...(registry.credentials
      ? { credentials: staticCredentials(registry.host, { kind: 'basic', ...registry.credentials }) }
      : {}),
    ...extra,
  });
}

const rejection = (p: Promise<unknown>) => rejectionOf(p, RegistryError);

describe.each<RegistryAuthMode>(['none', 'basic', 'token'])(
  'RegistryClient against the real registry, auth=%s',
  (auth) => {
    let registry: LocalRegistry;
    beforeAll(async () => {
      registry = await startRegistry({ auth });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it.each(['oci-index', 'docker-list', 'oci-single'] as const)(
      'retags a %s byte-exact: skopeo sees latest at the digest of X.Y.Z',
      async (format) => {
        const repo = `acme/${format}`;
        const old = await pushTestImage(registry, { repository: repo, tag: '1.0.0', format, seed: 'old' });
        const img = await pushTestImage(registry, { repository: repo, tag: '1.2.3', format, seed: 'new' });
        await skopeo([
          'copy',
          '--all',
          '--preserve-digests',
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          ...(registry.credentials
            ? ['--src-creds', `${registry.credentials.username}:${registry.credentials.password}`]
            : []),
          ...(registry.credentials
            ? ['--dest-creds', `${registry.credentials.username}:${registry.credentials.password}`]
            : []),
          `docker://${registry.host}/${repo}:1.0.0`,
          `docker://${registry.host}/${repo}:latest`,
        ]);
        expect(await skopeoDigest(registry, `${repo}:latest`)).toBe(old.digest);

        const client = clientFor(registry);
        const result = await client.retag(`${registry.host}/${repo}:1.2.3`, 'latest');
        expect(result).toMatchObject({
          digest: img.digest,
          mediaType: img.mediaType,
          changed: true,
          previousDigest: old.digest,
        });
        expect(await skopeoDigest(registry, `${repo}:latest`)).toBe(img.digest);
        expect(await skopeoDigest(registry, `${repo}:latest`)).toBe(
          await skopeoDigest(registry, `${repo}:1.2.3`),
        );

        // Second time: the HEAD shows latest already has the digest, nothing is written.
        const again = await client.retag(`${registry.host}/${repo}@${img.digest}`, 'latest');
        expect(again).toMatchObject({ digest: img.digest, changed: false });
        expect(await client.resolveDigest(`${registry.host}/${repo}:latest`)).toBe(img.digest);
      },
    );

    it('reads manifests raw with their platforms, and inspects a single-platform image through its config', async () => {
      const index = await pushTestImage(registry, {
        repository: 'acme/read',
        tag: '2.0.0',
        format: 'oci-index',
      });
      const single = await pushTestImage(registry, {
        repository: 'acme/read',
        tag: '2.0.0-single',
        format: 'docker-single',
      });
      const client = clientFor(registry);
      const m = await client.getManifest(`${registry.host}/acme/read:2.0.0`);
      expect(m.digest).toBe(index.digest);
      expect(sha256(m.bytes)).toBe(index.digest);
      expect(m.manifest.kind).toBe('index');
      const details = await client.inspect(`${registry.host}/acme/read:2.0.0`);
      expect(details.platforms.map((p) => [p.platform?.architecture, p.digest])).toEqual(
        index.platforms.map((p) => [p.architecture, p.digest]),
      );
      const one = await client.inspect(`${registry.host}/acme/read:2.0.0-single`);
      expect(one).toMatchObject({
        kind: 'image',
        digest: single.digest,
        mediaType: MediaType.dockerManifest,
      });
      expect(one.platforms).toEqual([
        {
          platform: { os: 'linux', architecture: 'amd64' },
          digest: single.digest,
          mediaType: MediaType.dockerManifest,
          size: one.size,
        },
      ]);
    });

    it('tells "not there" (undefined / MANIFEST_UNKNOWN) apart from failures', async () => {
      const client = clientFor(registry);
      expect(await client.headManifest(`${registry.host}/acme/nothing:1.0.0`)).toBeUndefined();
      expect(await client.findManifest(`${registry.host}/acme/nothing:1.0.0`)).toBeUndefined();
      const e = await rejection(client.resolveDigest(`${registry.host}/acme/nothing:1.0.0`));
      expect(e.code).toBe('MANIFEST_UNKNOWN');
      expect(e.message).toContain('acme/nothing:1.0.0 not found');
    });

    it('lists tags, copies to another repository with blob mounts, and deletes by digest', async () => {
      const img = await pushTestImage(registry, {
        repository: 'acme/staging',
        tag: '3.1.0',
        format: 'oci-index',
        seed: 'c',
      });
      const client = clientFor(registry);
      const copied = await client.copy(
        `${registry.host}/acme/staging:3.1.0`,
        `${registry.host}/acme/prod:3.1.0`,
      );
      expect(copied).toMatchObject({
        digest: img.digest,
        changed: true,
        manifestsCopied: 2,
        blobsMounted: 4,
        blobsCopied: 0,
      });
      expect(await skopeoDigest(registry, 'acme/prod:3.1.0')).toBe(img.digest);
      const raw = JSON.parse(
        await skopeo([
          'inspect',
          '--raw',
          '--tls-verify=false',
          ...(registry.credentials
            ? ['--creds', `${registry.credentials.username}:${registry.credentials.password}`]
            : []),
          `docker://${registry.host}/acme/prod@${img.platforms[1]!.digest}`,
        ]),
      ) as { layers: unknown[] };
      expect(raw.layers).toHaveLength(1);
      expect(
        (await client.copy(`${registry.host}/acme/staging:3.1.0`, `${registry.host}/acme/prod:3.1.0`))
          .changed,
      ).toBe(false);

      await client.retag(`${registry.host}/acme/prod:3.1.0`, '3.1.0-rc.1');
      expect((await client.listTags(`${registry.host}/acme/prod`)).sort()).toEqual(['3.1.0', '3.1.0-rc.1']);

      const rc = await pushTestImage(registry, { repository: 'acme/prod', tag: '3.2.0-rc.1', seed: 'rc' });
      expect(await client.deleteManifest(`${registry.host}/acme/prod@${rc.digest}`)).toBe(true);
      expect(await client.headManifest(`${registry.host}/acme/prod@${rc.digest}`)).toBeUndefined();
      expect(await client.deleteManifest(`${registry.host}/acme/prod@${rc.digest}`)).toBe(false);
      const byTag = await rejection(client.deleteManifest(`${registry.host}/acme/prod:3.1.0`));
      expect(byTag.code).toBe('INVALID_REFERENCE');
    });

    it('recognises a 405 UNSUPPORTED manifest DELETE (ghcr.io) and says the way out', async () => {
      const rc = await pushTestImage(registry, { repository: 'acme/ghcr', tag: '1.0.0-rc1', seed: 'g' });
      const front = await startGhcrFront(registry.url);
      try {
        const client = new RegistryClient({
          ...(registry.credentials
            ? { credentials: staticCredentials(front.host, { kind: 'basic', ...registry.credentials }) }
            : {}),
        });
        // Everything but the DELETE passes through.
        expect(await client.resolveDigest(`${front.host}/acme/ghcr:1.0.0-rc1`)).toBe(rc.digest);
        const e = await rejection(client.deleteManifest(`${front.host}/acme/ghcr@${rc.digest}`));
        expect(e.code).toBe('UNSUPPORTED');
        expect(e.status).toBe(405);
        expect(e.registryCode).toBe('UNSUPPORTED');
        expect(e.message).toMatch(/GitHub Packages API/);
        expect(e.message).toMatch(/"via": "packages-api"/);
        expect(await client.resolveDigest(`${front.host}/acme/ghcr:1.0.0-rc1`)).toBe(rc.digest);
      } finally {
        await front.stop();
      }
    });

    it('finds referrers through the sha256-<hex> fallback tag (distribution 2.8 has no referrers API)', async () => {
      const img = await pushTestImage(registry, { repository: 'acme/signed', tag: '1.0.0', seed: 's' });
      const client = clientFor(registry);
      const subject = `${registry.host}/acme/signed@${img.digest}`;
      expect(await client.referrers(subject)).toEqual({ via: 'fallback-tag', manifests: [] });

      const writer = OciWriter.for(registry);
      const empty = Buffer.from('{}');
      await writer.uploadBlob('acme/signed', empty);
      const bundle = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
      await writer.uploadBlob('acme/signed', bundle);
      const sig = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaTypes.ociManifest,
          artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 },
          layers: [
            {
              mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
              digest: sha256(bundle),
              size: bundle.length,
            },
          ],
          subject: { mediaType: img.mediaType, digest: img.digest, size: 1 },
        }),
      );
      const sigDigest = await writer.putManifest('acme/signed', sha256(sig), sig, MediaTypes.ociManifest);
      const index = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaTypes.ociIndex,
          manifests: [
            {
              mediaType: MediaTypes.ociManifest,
              digest: sigDigest,
              size: sig.length,
              artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
            },
            {
              mediaType: MediaTypes.ociManifest,
              digest: img.platforms[0]!.digest,
              size: 1,
              artifactType: 'application/spdx+json',
            },
          ],
        }),
      );
      await writer.putManifest('acme/signed', referrersTag(img.digest), index, MediaTypes.ociIndex);

      const all = await client.referrers(subject);
      expect(all.via).toBe('fallback-tag');
      expect(all.manifests.map((d) => d.digest)).toEqual([sigDigest, img.platforms[0]!.digest]);
      const sigs = await client.referrers(subject, {
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      });
      expect(sigs.manifests.map((d) => d.digest)).toEqual([sigDigest]);
      const sigManifest = await client.getManifest(`${registry.host}/acme/signed@${sigDigest}`);
      expect(sigManifest.manifest).toMatchObject({
        kind: 'image',
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        subject: { digest: img.digest },
      });
      if (sigManifest.manifest.kind !== 'image') throw new Error('unreachable');
      const blob = await client.getBlob(
        `${registry.host}/acme/signed`,
        sigManifest.manifest.layers[0]!.digest,
        { maxBytes: 1024 },
      );
      expect(Buffer.from(blob).equals(bundle)).toBe(true);
      const tooBig = await rejection(
        client.getBlob(`${registry.host}/acme/signed`, sigManifest.manifest.layers[0]!.digest, {
          maxBytes: 10,
        }),
      );
      expect(tooBig.code).toBe('TOO_LARGE');
    });

    if (auth !== 'none') {
      it('without credentials: reads are refused or allowed like the registry says, pushes are refused with a hint', async () => {
        await pushTestImage(registry, { repository: 'acme/anon', tag: '1.0.0' });
        const anon = new RegistryClient();
        if (auth === 'token') {
          // ghcr.io-like: anonymous pull works, push does not.
          expect(await anon.resolveDigest(`${registry.host}/acme/anon:1.0.0`)).toMatch(/^sha256:/);
          const e = await rejection(anon.retag(`${registry.host}/acme/anon:1.0.0`, 'latest'));
          expect(e.code).toBe('DENIED');
          expect(e.message).toContain('anonymous access may not push to acme/anon');
        } else {
          const e = await rejection(anon.resolveDigest(`${registry.host}/acme/anon:1.0.0`));
          expect(e.code).toBe('UNAUTHORIZED');
          expect(e.message).toMatch(/docker login/);
        }
      });

      it('with wrong credentials: UNAUTHORIZED, and the password is in no message', async () => {
        const bad = new RegistryClient({
          credentials: staticCredentials(registry.host, {
            kind: 'basic',
            username: 'testuser',
            password: 'wrong-secret-123',
          }),
        });
        const e = await rejection(bad.resolveDigest(`${registry.host}/acme/anon:1.0.0`));
        expect(e.code).toBe('UNAUTHORIZED');
        expect(`${e.message} ${String(e.cause)}`).not.toContain('wrong-secret-123');
      });
    }

    if (auth === 'token') {
      it('caches one token per scope: warm retags cost 2 requests plus the HEAD checks, no token requests', async () => {
        const img = await pushTestImage(registry, { repository: 'acme/warm', tag: '1.0.0' });
        const client = clientFor(registry);
        await client.retag(`${registry.host}/acme/warm:1.0.0`, 'warmup', { readBack: false });
        const tokensBefore = registry.tokenIssuer!.requests();
        const before = { ...client.stats };
        await client.retag(`${registry.host}/acme/warm@${img.digest}`, 'a', {
          skipIfCurrent: false,
          readBack: false,
        });
        expect(client.stats.requests - before.requests).toBe(1); // the source manifest is cached by digest: PUT only
        await client.retag(`${registry.host}/acme/warm:1.0.0`, 'b', {
          skipIfCurrent: false,
          readBack: false,
        });
        expect(client.stats.requests - before.requests).toBe(3); // GET + PUT
        expect(registry.tokenIssuer!.requests()).toBe(tokensBefore);
        expect(client.stats.authChallenges).toBe(before.authChallenges);
      });

      it('fetches a two-repository mount token once and reuses it', async () => {
        await pushTestImage(registry, { repository: 'acme/st', tag: '1.0.0', seed: 'm1' });
        await pushTestImage(registry, { repository: 'acme/st', tag: '2.0.0', seed: 'm2' });
        const client = clientFor(registry);
        await client.copy(`${registry.host}/acme/st:1.0.0`, `${registry.host}/acme/pr:1.0.0`);
        const tokens = registry.tokenIssuer!.requests();
        const r = await client.copy(`${registry.host}/acme/st:2.0.0`, `${registry.host}/acme/pr:2.0.0`);
        expect(r).toMatchObject({ blobsMounted: 4, manifestsCopied: 2 });
        expect(registry.tokenIssuer!.requests()).toBe(tokens);
      });

      it('reports a read-only token on push as DENIED (insufficient_scope)', async () => {
        await pushTestImage(registry, { repository: 'acme/ro', tag: '1.0.0' });
        registry.tokenIssuer!.denyPush(true);
        try {
          const e = await rejection(clientFor(registry).retag(`${registry.host}/acme/ro:1.0.0`, 'latest'));
          expect(e.code).toBe('DENIED');
          expect(e.message).toContain('the credentials in use may not push to acme/ro');
        } finally {
          registry.tokenIssuer!.denyPush(false);
        }
      });

      it('waits out a rate-limited token service (429 + Retry-After)', async () => {
        await pushTestImage(registry, { repository: 'acme/limited', tag: '1.0.0' });
        registry.tokenIssuer!.failNext(2);
        const client = clientFor(registry);
        expect(await client.resolveDigest(`${registry.host}/acme/limited:1.0.0`)).toMatch(/^sha256:/);
        expect(client.stats.retries).toBe(2);
      });
    }
  },
);
