// What credentials may do on a repository, learned without a write (the doctor's push probe),
// against the real registry in its three auth modes and the testkit token service (anonymous
// callers get pull only; a valid login gets what it asks for).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf, startRegistry, type LocalRegistry } from '@relkit/testkit';
import { RegistryClient } from './client.js';
import { staticCredentials } from './credentials.js';
import { RegistryError } from './errors.js';

const login = (registry: LocalRegistry, password = registry.credentials!.password) =>
  new RegistryClient({
    credentials: staticCredentials(registry.host, {
      kind: 'basic',
      username: registry.credentials!.username,
      password,
    }),
  });

describe('RegistryClient.repositoryAccess', () => {
  const registries: Partial<Record<'none' | 'basic' | 'token', LocalRegistry>> = {};
  beforeAll(async () => {
    for (const auth of ['none', 'basic', 'token'] as const) registries[auth] = await startRegistry({ auth });
  });
  afterAll(async () => {
    await Promise.all(Object.values(registries).map((r) => r?.stop()));
  });

  it('says a registry without auth asks for nothing', async () => {
    const r = registries.none!;
    expect(await new RegistryClient().repositoryAccess(`${r.host}/acme/app`)).toEqual({ scheme: 'none' });
  });

  it('says Basic auth shows push rights only at the first write', async () => {
    const r = registries.basic!;
    expect(await login(r).repositoryAccess(`${r.host}/acme/app`)).toEqual({ scheme: 'basic' });
  });

  it('reads the grant of a pull,push token: a login may push, an anonymous caller only pull', async () => {
    const r = registries.token!;
    const granted = await login(r).repositoryAccess(`${r.host}/acme/app`);
    expect(granted).toMatchObject({ scheme: 'bearer', credential: 'basic' });
    expect(granted.scheme === 'bearer' && [...(granted.actions ?? [])].sort()).toEqual(['pull', 'push']);
    expect(await new RegistryClient().repositoryAccess(`${r.host}/acme/app`)).toEqual({
      scheme: 'bearer',
      credential: 'none',
      actions: ['pull'],
    });
  });

  it('reports a refused login as UNAUTHORIZED', async () => {
    const r = registries.token!;
    const e = await rejectionOf(login(r, 'wrong').repositoryAccess(`${r.host}/acme/app`), RegistryError);
    expect(e.code).toBe('UNAUTHORIZED');
  });
});
