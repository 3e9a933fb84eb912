import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pushTestImage,
  skopeoDigest,
  startTlsFront,
  startForwardProxy,
  startRegistry,
  type LocalRegistry,
  type PushedImage,
} from '@relkit/testkit';
import { ExitCode, type CliContext } from '../command.js';
import { main } from '../main.js';
import { imageCommands } from './image.js';

const NO_PROXIES = { HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' };

function capture(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { HOME: mkdtempSync(join(tmpdir(), 'relkit-home-')), PATH: process.env.PATH, ...env },
    cwd: process.cwd(),
    isTTY: false,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

describe('release-cli image, against a registry without auth', { timeout: 60_000 }, () => {
  let registry: LocalRegistry;
  let img: PushedImage;
  let single: PushedImage;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    img = await pushTestImage(registry, { repository: 'acme/app', tag: '1.2.3', format: 'docker-list' });
    single = await pushTestImage(registry, {
      repository: 'acme/app',
      tag: '1.2.3-single',
      format: 'oci-single',
    });
    await pushTestImage(registry, { repository: 'acme/app', tag: '1.0.0', seed: 'old' });
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('image tag moves latest to the exact digest, then reports that nothing needs writing', async () => {
    const c = capture();
    expect(
      await main(['image', 'tag', `${registry.host}/acme/app:1.2.3`, 'latest'], c.ctx, imageCommands),
    ).toBe(ExitCode.ok);
    expect(c.out()).toBe(`${registry.host}/acme/app:latest → ${img.digest} (was nothing)\n`);
    expect(await skopeoDigest(registry, 'acme/app:latest')).toBe(img.digest);

    const again = capture();
    expect(
      await main(
        ['image', 'tag', `${registry.host}/acme/app@${img.digest}`, 'latest', '--json'],
        again.ctx,
        imageCommands,
      ),
    ).toBe(0);
    expect(JSON.parse(again.out())).toEqual({
      source: `${registry.host}/acme/app@${img.digest}`,
      target: `${registry.host}/acme/app:latest`,
      digest: img.digest,
      mediaType: img.mediaType,
      changed: false,
      previousDigest: img.digest,
    });
  });

  it('image digest prints the index digest (never a platform), as text and JSON', async () => {
    const c = capture();
    expect(await main(['image', 'digest', `${registry.host}/acme/app:1.2.3`], c.ctx, imageCommands)).toBe(0);
    expect(c.out()).toBe(`${img.digest}\n`);
    const j = capture();
    expect(
      await main(['image', 'digest', `${registry.host}/acme/app:1.2.3`, '--json'], j.ctx, imageCommands),
    ).toBe(0);
    expect(JSON.parse(j.out())).toMatchObject({ digest: img.digest, mediaType: img.mediaType });
  });

  it('image inspect shows platforms with their digests', async () => {
    const c = capture();
    expect(await main(['image', 'inspect', `${registry.host}/acme/app:1.2.3`], c.ctx, imageCommands)).toBe(0);
    expect(c.out()).toContain(`digest:     ${img.digest}`);
    expect(c.out()).toContain('multi-arch');
    for (const p of img.platforms)
      expect(c.out()).toMatch(new RegExp(`linux/${p.architecture}\\s+${p.digest}`));
    const j = capture();
    expect(
      await main(
        ['image', 'inspect', `${registry.host}/acme/app:1.2.3-single`, '--json'],
        j.ctx,
        imageCommands,
      ),
    ).toBe(0);
    expect(JSON.parse(j.out())).toMatchObject({
      digest: single.digest,
      kind: 'image',
      multiArch: false,
      platforms: [{ platform: 'linux/amd64', digest: single.digest }],
    });
  });

  it('exits 1 with MANIFEST_UNKNOWN for a missing tag, and 2 for bad input', async () => {
    const c = capture();
    expect(await main(['image', 'digest', `${registry.host}/acme/app:9.9.9`], c.ctx, imageCommands)).toBe(
      ExitCode.failed,
    );
    expect(c.err()).toContain('[MANIFEST_UNKNOWN]');
    for (const argv of [
      ['image', 'digest', 'Acme/App:1'],
      ['image', 'tag', `${registry.host}/acme/app:1.2.3`, '-bad'],
      ['image', 'tag', `${registry.host}/acme/app:1.2.3`],
      ['image', 'digest', `${registry.host}/acme/app:1.2.3`, '--timeout', 'soon'],
    ]) {
      const u = capture();
      expect(await main(argv, u.ctx, imageCommands)).toBe(ExitCode.usage);
      expect(u.err()).toMatch(/release-cli image/);
    }
  });

  it('runs as a real process through the built bin', async () => {
    const bin = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [bin, 'image', 'tag', `${registry.host}/acme/app:1.0.0`, 'stable', '--json'],
        (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const r = JSON.parse(out) as { digest: string; changed: boolean };
    expect(r.changed).toBe(true);
    expect(await skopeoDigest(registry, 'acme/app:stable')).toBe(r.digest);
    expect(await skopeoDigest(registry, 'acme/app:1.0.0')).toBe(r.digest);
  });

  it('retags over HTTPS as a real process, trusting a private CA from NODE_EXTRA_CA_CERTS, also through HTTPS_PROXY', async () => {
    // The real registry behind a real TLS endpoint, reached as a non-loopback name ([::ffff:7f00:1]).
    const front = await startTlsFront(registry.host);
    const proxy = await startForwardProxy();
    try {
      const bin = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));
      const tag = (env: NodeJS.ProcessEnv, newTag = 'tls') =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            [bin, 'image', 'tag', `${front.host}/acme/app:1.2.3`, newTag, '--json'],
            // No proxy from the machine: [::ffff:7f00:1] is not loopback to a proxy either.
            { env: { ...process.env, ...NO_PROXIES, ...env } },
            (e, stdout, stderr) => resolve({ code: e ? Number(e.code) : 0, stdout, stderr }),
          ),
        );
      const untrusted = await tag({ NODE_EXTRA_CA_CERTS: '' });
      expect(untrusted.code).toBe(ExitCode.failed);
      expect(untrusted.stderr).toContain('[NETWORK]');
      expect(untrusted.stderr).toContain('NODE_EXTRA_CA_CERTS');

      const trusted = await tag({ NODE_EXTRA_CA_CERTS: front.caPath });
      expect(trusted.stderr).toBe('');
      expect(JSON.parse(trusted.stdout)).toMatchObject({ digest: img.digest, changed: true });
      expect(await skopeoDigest(registry, 'acme/app:tls')).toBe(img.digest);
      expect(proxy.log).toEqual([]);

      const proxied = await tag({ NODE_EXTRA_CA_CERTS: front.caPath, HTTPS_PROXY: proxy.url }, 'tls-proxied');
      expect(proxied.stderr).toBe('');
      expect(JSON.parse(proxied.stdout)).toMatchObject({ digest: img.digest, changed: true });
      expect(await skopeoDigest(registry, 'acme/app:tls-proxied')).toBe(img.digest);
      // A tunnel per connection (HEAD and GET go out at once), never a plain request.
      expect(proxy.log.length).toBeGreaterThan(0);
      for (const line of proxy.log) expect(line).toBe(`CONNECT ${front.host}`);
    } finally {
      await proxy.stop();
      await front.stop();
    }
  });
});

describe('release-cli image with credentials', { timeout: 60_000 }, () => {
  let token: LocalRegistry;
  let basic: LocalRegistry;
  let dir: string;
  beforeAll(async () => {
    [token, basic] = await Promise.all([startRegistry({ auth: 'token' }), startRegistry({ auth: 'basic' })]);
    dir = mkdtempSync(join(tmpdir(), 'relkit-cli-creds-'));
  }, 60_000);
  afterAll(async () => {
    await token?.stop();
    await basic?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes credentials from the environment and never prints them', async () => {
    const img = await pushTestImage(token, { repository: 'acme/env', tag: '2.0.0' });
    const c = capture({
      RELKIT_REGISTRY_USERNAME: token.credentials!.username,
      RELKIT_REGISTRY_PASSWORD: token.credentials!.password,
    });
    expect(
      await main(['image', 'tag', `${token.host}/acme/env:2.0.0`, 'latest', '--json'], c.ctx, imageCommands),
    ).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ digest: img.digest, changed: true });
    expect(await skopeoDigest(token, 'acme/env:latest')).toBe(img.digest);
    expect(c.out() + c.err()).not.toContain(token.credentials!.password);

    const anon = capture();
    expect(
      await main(['image', 'tag', `${token.host}/acme/env:2.0.0`, 'other'], anon.ctx, imageCommands),
    ).toBe(1);
    expect(anon.err()).toContain('[DENIED]');
  });

  it('takes credentials from the docker config through a docker-credential-* helper', async () => {
    const img = await pushTestImage(basic, { repository: 'acme/helper', tag: '3.0.0' });
    const bin = join(dir, 'bin');
    const cfg = join(dir, 'docker');
    for (const d of [bin, cfg]) rmSync(d, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => Promise.all([fs.mkdir(bin), fs.mkdir(cfg)]));
    writeFileSync(
      join(bin, 'docker-credential-relkit-test'),
      `#!/bin/sh\nread server\nif [ "$server" = "${basic.host}" ]; then\n  printf '{"ServerURL":"%s","Username":"${basic.credentials!.username}","Secret":"${basic.credentials!.password}"}' "$server"\nelse\n  echo "credentials not found in native keychain"; exit 1\nfi\n`,
    );
    chmodSync(join(bin, 'docker-credential-relkit-test'), 0o755);
    writeFileSync(join(cfg, 'config.json'), JSON.stringify({ credHelpers: { [basic.host]: 'relkit-test' } }));
    const c = capture({ DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}` });
    expect(await main(['image', 'digest', `${basic.host}/acme/helper:3.0.0`], c.ctx, imageCommands)).toBe(0);
    expect(c.out()).toBe(`${img.digest}\n`);
  });
});
