import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, startRegistry, type LocalRegistry } from '@relkit/testkit';
import { RegistryClient } from './client.js';
import {
  chainCredentials,
  dockerConfigCredentials,
  envCredentials,
  staticCredentials,
} from './credentials.js';
import type { RegistryError } from './errors.js';

let dir: string;
let bin: string;
let env: Record<string, string | undefined>;

// A docker-credential-* helper speaking the real protocol: `get` reads the server URL on stdin.
const HELPER = `#!/bin/sh
[ "$1" = "get" ] || exit 2
read server
case "$server" in
  helper.example.test) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$server" ;;
  store.example.test) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-token"}' "$server" ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"hub-user","Secret":"hub-secret"}' "$server" ;;
  broken.example.test) echo "keychain locked: secret=do-not-print" >&2; exit 3 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'relkit-creds-'));
  bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const name of ['docker-credential-relkit-test', 'docker-credential-relkit-store']) {
    writeFileSync(join(bin, name), HELPER);
    chmodSync(join(bin, name), 0o755);
  }
  env = { PATH: `${bin}:${process.env.PATH}`, HOME: dir };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, body: object): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'config.json'), JSON.stringify(body));
  return d;
}

describe('docker config credentials', () => {
  it('reads auths in every key spelling docker writes', async () => {
    const d = config('auths', {
      auths: {
        'https://registry.example.test/v2/': { auth: Buffer.from('alice:pa:ss').toString('base64') },
        'plain.example.test:5000': { username: 'bob', password: 'pw' },
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:hubpw').toString('base64') },
        'id.example.test': { identitytoken: 'refresh' },
      },
    });
    const get = dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: d } });
    expect(await get('registry.example.test')).toEqual({
      kind: 'basic',
      username: 'alice',
      password: 'pa:ss',
    });
    expect(await get('plain.example.test:5000')).toEqual({ kind: 'basic', username: 'bob', password: 'pw' });
    expect(await get('docker.io')).toEqual({ kind: 'basic', username: 'hub', password: 'hubpw' });
    expect(await get('id.example.test')).toEqual({ kind: 'identity-token', token: 'refresh' });
    expect(await get('other.example.test')).toBeUndefined();
  });

  it('runs credHelpers per host and credsStore for the rest (the docker-credential-* protocol)', async () => {
    const d = config('helpers', {
      auths: { 'helper.example.test': {} },
      credHelpers: { 'helper.example.test': 'relkit-test' },
      credsStore: 'relkit-store',
    });
    const get = dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: d } });
    expect(await get('helper.example.test')).toEqual({
      kind: 'basic',
      username: 'helper-user',
      password: 'helper-secret',
    });
    expect(await get('store.example.test')).toEqual({ kind: 'identity-token', token: 'refresh-token' });
    expect(await get('docker.io')).toEqual({ kind: 'basic', username: 'hub-user', password: 'hub-secret' });
    expect(await get('unknown.example.test')).toBeUndefined();
  });

  it('reports a failing or missing helper as CREDENTIALS, naming the helper and not its output', async () => {
    const d = config('broken', {
      credHelpers: { 'broken.example.test': 'relkit-test', 'gone.example.test': 'not-installed' },
    });
    const get = dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: d } });
    const e1 = await get('broken.example.test').catch((e: unknown) => e as RegistryError);
    expect(e1).toMatchObject({ code: 'CREDENTIALS' });
    expect((e1 as RegistryError).message).toContain('docker-credential-relkit-test failed');
    expect((e1 as RegistryError).message).not.toContain('do-not-print');
    const e2 = await get('gone.example.test').catch((e: unknown) => e as RegistryError);
    expect((e2 as RegistryError).message).toContain('docker-credential-not-installed');
    expect((e2 as RegistryError).message).toContain('not on PATH');
  });

  it('treats a missing config as anonymous and a broken one as an error', async () => {
    expect(
      await dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: join(dir, 'nope') } })('x.test'),
    ).toBeUndefined();
    const d = join(dir, 'garbage');
    mkdirSync(d);
    writeFileSync(join(d, 'config.json'), '{not json');
    await expect(
      dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: d } })('x.test'),
    ).rejects.toMatchObject({ code: 'CREDENTIALS' });
  });
});

describe('environment credentials', () => {
  it('gives ghcr.io the GitHub token, and RELKIT_REGISTRY_* only to the hosts listed', async () => {
    const get = envCredentials({
      GITHUB_TOKEN: 'ghs_x',
      GITHUB_ACTOR: 'octocat',
      RELKIT_REGISTRY_USERNAME: 'u',
      RELKIT_REGISTRY_PASSWORD: 'p',
      RELKIT_REGISTRY_HOSTS: 'reg.example.test',
    });
    expect(await get('ghcr.io')).toEqual({ kind: 'basic', username: 'octocat', password: 'ghs_x' });
    expect(await get('reg.example.test')).toEqual({ kind: 'basic', username: 'u', password: 'p' });
    expect(await get('docker.io')).toBeUndefined();
    const chained = chainCredentials(
      envCredentials({}),
      staticCredentials('docker.io', { kind: 'bearer', token: 't' }),
    );
    expect(await chained('docker.io')).toEqual({ kind: 'bearer', token: 't' });
  });
});

describe('credentials end to end against the real registry', () => {
  let basic: LocalRegistry;
  let token: LocalRegistry;
  beforeAll(async () => {
    [basic, token] = await Promise.all([startRegistry({ auth: 'basic' }), startRegistry({ auth: 'token' })]);
  });
  afterAll(async () => {
    await basic?.stop();
    await token?.stop();
  });

  it.each(['basic', 'token'] as const)(
    'logs in to a %s registry with a credential helper from the docker config',
    async (mode) => {
      const reg = mode === 'basic' ? basic : token;
      const img = await pushTestImage(reg, { repository: 'acme/creds', tag: '1.0.0' });
      const script = join(bin, `docker-credential-relkit-${mode}`);
      writeFileSync(
        script,
        `#!/bin/sh\nread server\n[ "$server" = "${reg.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"${reg.credentials!.username}","Secret":"${reg.credentials!.password}"}' "$server"\n`,
      );
      chmodSync(script, 0o755);
      const d = config(`e2e-${mode}`, { credHelpers: { [reg.host]: `relkit-${mode}` } });
      const client = new RegistryClient({
        credentials: dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: d } }),
      });
      const r = await client.retag(`${reg.host}/acme/creds:1.0.0`, 'latest');
      expect(r).toMatchObject({ digest: img.digest, changed: true });
    },
  );
});
