import { memoryPackageSource, rejectionOf } from '@relkit/testkit';
import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { containerPackageOf, packagesPort } from './packages-port.js';
import { forgeFor, useSimulator } from './__tests__/support.js';

const t = useSimulator();
const d = (c: string) => `sha256:${c.repeat(64)}`;

function seed(owner: string, name: string, ownerType: 'org' | 'user', count = 3) {
  const manifests = Array.from({ length: count }, (_, i) => ({
    digest: d(i.toString(16).padStart(1, '0').slice(-1)),
    tags: i === 0 ? ['1.2.3', 'latest'] : [`1.2.3-rc${i}`],
  }));
  t.sim.addContainerPackage(owner, name, memoryPackageSource(manifests), { ownerType });
  return manifests;
}

describe('packagesPort (GitHub Packages API)', () => {
  it('lists an organization package’s versions across pages and deletes one', async () => {
    seed('acme', 'app', 'org', 3);
    // 150 untagged versions: more than one page of 100.
    t.sim.addContainerPackage(
      'acme',
      'big',
      memoryPackageSource(
        Array.from({ length: 150 }, (_, i) => ({
          digest: `sha256:${i.toString(16).padStart(64, '0')}`,
          tags: [],
        })),
      ),
    );
    const port = packagesPort(forgeFor(t.sim));
    expect(await port.listVersions('ghcr.io/acme/big')).toHaveLength(150);
    const versions = await port.listVersions('ghcr.io/acme/app');
    expect(versions.map((v) => v.tags)).toContainEqual(['1.2.3-rc1']);
    const rc1 = versions.find((v) => v.tags.includes('1.2.3-rc1'))!;
    expect(rc1.digest).toBe(d('1'));
    expect(await port.deleteVersion('ghcr.io/acme/app', rc1.id)).toBe(true);
    expect(await port.deleteVersion('ghcr.io/acme/app', rc1.id)).toBe(false);
    expect((await port.listVersions('ghcr.io/acme/app')).map((v) => v.id)).not.toContain(rc1.id);
    const deletes = t.sim.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
    expect(deletes[0]).toBe(`/orgs/acme/packages/container/app/versions/${rc1.id}`);
  });

  it('falls back to the user route for a user-owned package (nested name)', async () => {
    seed('octocat', 'tools/cli', 'user', 2);
    const port = packagesPort(forgeFor(t.sim));
    const versions = await port.listVersions('ghcr.io/octocat/tools/cli');
    expect(versions).toHaveLength(2);
    expect(await port.deleteVersion('ghcr.io/octocat/tools/cli', versions[0]!.id)).toBe(true);
    const paths = t.sim.requests.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`);
    expect(paths[0]).toBe('GET /orgs/octocat/packages/container/tools%2Fcli/versions 404');
    expect(paths).toContain(
      `DELETE /users/octocat/packages/container/tools%2Fcli/versions/${versions[0]!.id} 204`,
    );
  });

  it('names the token and the permission it lacks on a refused delete', async () => {
    seed('acme', 'app', 'org');
    const port = packagesPort(forgeFor(t.sim, { token: t.sim.readToken }));
    const [v] = await port.listVersions('ghcr.io/acme/app');
    const e = await rejectionOf(port.deleteVersion('ghcr.io/acme/app', v!.id), GitHubError);
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toMatch(/RELKIT_REGISTRY_PASSWORD/);
    expect(e.message).toMatch(/packages: write/);
    expect(e.message).toMatch(/delete:packages/);
  });

  it('says which package it could not find, and how a token may not see it', async () => {
    const port = packagesPort(forgeFor(t.sim), { tokenName: 'the test token' });
    const e = await rejectionOf(port.listVersions('ghcr.io/acme/none'), GitHubError);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(
      /no container package none of organization or user acme is visible to the test token/,
    );
    expect(e.advice).toMatch(/read:packages/);
  });

  it('maps an image name to owner and package', () => {
    expect(containerPackageOf('ghcr.io/acme/app')).toEqual({ owner: 'acme', name: 'app' });
    expect(containerPackageOf('ghcr.io/acme/a/b:1.2.3')).toEqual({ owner: 'acme', name: 'a/b' });
    expect(containerPackageOf('127.0.0.1:5000/acme/app@sha256:abc')).toEqual({ owner: 'acme', name: 'app' });
    expect(() => containerPackageOf('ghcr.io/app')).toThrow(/REGISTRY\/OWNER\/NAME/);
  });
});
