import { describe, expect, it } from 'vitest';
import { RegistryError } from './errors.js';
import {
  assertTag,
  formatReference,
  isLoopbackRegistry,
  parseReference,
  referenceIdentifier,
} from './reference.js';

const F64 = 'f'.repeat(64);

// Cases from github.com/distribution/reference (reference_test.go, normalize_test.go), with the
// results ParseNormalizedNamed gives (what `docker pull` does): familiar names get docker.io.
describe('parseReference: the distribution reference grammar', () => {
  it.each([
    ['test_com', 'docker.io', 'library/test_com', undefined, undefined],
    ['test.com:tag', 'docker.io', 'library/test.com', 'tag', undefined],
    ['test.com:5000', 'docker.io', 'library/test.com', '5000', undefined],
    ['test.com/repo:tag', 'test.com', 'repo', 'tag', undefined],
    ['test:5000/repo', 'test:5000', 'repo', undefined, undefined],
    ['test:5000/repo:tag', 'test:5000', 'repo', 'tag', undefined],
    [`test:5000/repo@sha256:${F64}`, 'test:5000', 'repo', undefined, `sha256:${F64}`],
    [`test:5000/repo:tag@sha256:${F64}`, 'test:5000', 'repo', 'tag', `sha256:${F64}`],
    ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase', undefined],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux', undefined, undefined],
    [
      'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
      'sub-dom1.foo.com',
      'bar/baz/quux',
      'some-long-tag',
      undefined,
    ],
    [
      'b.gcr.io/test.example.com/my-app:test.example.com',
      'b.gcr.io',
      'test.example.com/my-app',
      'test.example.com',
      undefined,
    ],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com', 'myimage', 'xn--n3h.com', undefined],
    ['foo_bar.com:8080', 'docker.io', 'library/foo_bar.com', '8080', undefined],
    ['foo/foo_bar.com:8080', 'docker.io', 'foo/foo_bar.com', '8080', undefined],
    ['192.168.1.1', 'docker.io', 'library/192.168.1.1', undefined, undefined],
    ['192.168.1.1:tag', 'docker.io', 'library/192.168.1.1', 'tag', undefined],
    ['192.168.1.1/repo', '192.168.1.1', 'repo', undefined, undefined],
    ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000', 'repo', '5050', undefined],
    ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo', undefined, undefined],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]', 'repo', 'tag', undefined],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000', 'repo', 'tag', undefined],
    ['[::1]:5000/repo', '[::1]:5000', 'repo', undefined, undefined],
    ['localhost/repo', 'localhost', 'repo', undefined, undefined],
    ['localhost:5000/repo:1.2.3', 'localhost:5000', 'repo', '1.2.3', undefined],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined],
    ['ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined],
    ['docker.io/ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined],
    ['index.docker.io/dmcgowan/myapp', 'docker.io', 'dmcgowan/myapp', undefined, undefined],
    ['dmcgowan/myapp:latest', 'docker.io', 'dmcgowan/myapp', 'latest', undefined],
    ['ghcr.io/acme/app:1.2.3', 'ghcr.io', 'acme/app', '1.2.3', undefined],
    ['a.b/c__d/e---f/g.h:x', 'a.b', 'c__d/e---f/g.h', 'x', undefined],
    [
      `h.io/${'a/'.repeat(122)}a:tag-puts-this-over-max`,
      'h.io',
      `${'a/'.repeat(122)}a`,
      'tag-puts-this-over-max',
      undefined,
    ],
  ])('%s', (input, registry, repository, tag, digest) => {
    expect(parseReference(input)).toEqual({ registry, repository, tag, digest });
  });

  it.each([
    ['', 'empty'],
    [':justtag', 'grammar'],
    [`@sha256:${F64}`, 'grammar'],
    ['repo@sha256:ffffffffffffffffffffffffffffffffff', '64 lowercase hex'],
    // 255 characters before normalisation, 265 after docker.io/ is prefixed: Docker refuses it too.
    [`${'a/'.repeat(127)}a:tag`, 'longer than 255'],
    [`validname@invaliddigest:${F64}`, 'not supported'],
    [`repo@sha512:${'f'.repeat(128)}`, 'not supported'],
    [`repo@sha256:${'F'.repeat(64)}`, 'lowercase'],
    ['Uppercase:tag', 'lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'lowercase'],
    [`${'a/'.repeat(128)}a:tag`, 'longer than 255'],
    ['aa/asdf$$^/aa', 'grammar'],
    ['[2001:db8::1]', 'grammar'],
    ['[2001:db8::1]:5000', 'grammar'],
    ['[fe80::1%eth0]:5000/repo', 'grammar'],
    ['-foo/bar', 'grammar'],
    ['foo/bar-', 'grammar'],
    ['foo//bar', 'grammar'],
    [`repo:${'t'.repeat(129)}`, 'grammar'],
    ['repo:.tag', 'grammar'],
    [F64, 'image ID'],
  ])('refuses %s', (input, why) => {
    let err: unknown;
    try {
      parseReference(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('INVALID_REFERENCE');
    expect((err as RegistryError).message).toContain(why);
  });

  it('round-trips through formatReference and picks the digest over the tag', () => {
    const r = parseReference(`127.0.0.1:5000/acme/app:1.2.3@sha256:${F64}`);
    expect(formatReference(r)).toBe(`127.0.0.1:5000/acme/app:1.2.3@sha256:${F64}`);
    expect(referenceIdentifier(r)).toBe(`sha256:${F64}`);
    expect(referenceIdentifier(parseReference('ghcr.io/acme/app'))).toBe('latest');
  });

  it('validates tags and knows loopback hosts', () => {
    expect(assertTag('v1.2.3-rc.1_x')).toBe('v1.2.3-rc.1_x');
    for (const bad of ['', '-x', '.x', 'a/b', 'a:b', 'x'.repeat(129)])
      expect(() => assertTag(bad)).toThrow(RegistryError);
    for (const h of ['localhost:5000', '127.0.0.1:41000', '127.1.2.3', '[::1]:5000', 'registry.localhost'])
      expect(isLoopbackRegistry(h)).toBe(true);
    for (const h of ['ghcr.io', '10.0.0.1:5000', 'localhost.example.com', '[2001:db8::1]:5000'])
      expect(isLoopbackRegistry(h)).toBe(false);
  });
});

describe('scheme selection', () => {
  it('uses HTTPS except for loopback and hosts marked insecure; Docker Hub at registry-1.docker.io', async () => {
    const { RegistryClient } = await import('./client.js');
    const c = new RegistryClient({ insecureRegistries: ['registry.internal:5000'] });
    expect(c.baseUrl('registry.internal:5000')).toBe('http://registry.internal:5000');
    expect(c.baseUrl('registry.internal:5001')).toBe('https://registry.internal:5001');
    expect(c.baseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(c.baseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(c.baseUrl('127.0.0.1:41000')).toBe('http://127.0.0.1:41000');
    expect(c.baseUrl('docker.io')).toBe('https://registry-1.docker.io');
  });
});

describe('an invalid reference is quoted without its userinfo', () => {
  it.each([
    ['user:s3cretpw@ghcr.io/acme/app:1', '"***@ghcr.io/acme/app:1"'],
    ['https://user:s3cretpw@ghcr.io/acme/app:1', '"https://***@ghcr.io/acme/app:1"'],
    ['//tok3nvalue@127.0.0.1:5000/acme/app', '"//***@127.0.0.1:5000/acme/app"'],
    ['user:s3cretpw@ghcr.io:5000', '"***@ghcr.io:5000"'],
  ])('%s', (input, quoted) => {
    // A reference copied from a URL with credentials: the error says why, never the password.
    let message = '';
    try {
      parseReference(input);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(quoted);
    expect(message).not.toMatch(/s3cretpw|tok3nvalue/);
  });

  it('still quotes a digest reference whole', () => {
    expect(() => parseReference(`app@sha256:${'A'.repeat(64)}`)).toThrow(`"app@sha256:${'A'.repeat(64)}"`);
  });
});
