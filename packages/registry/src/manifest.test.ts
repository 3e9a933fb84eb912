import { describe, expect, it } from 'vitest';
import type { RegistryError } from './errors.js';
import { Semaphore, backoffMs, parseRetryAfter } from './limits.js';
import { MediaType, bareMediaType, formatPlatform, parseManifest } from './manifest.js';
import { parseChallenge } from './auth.js';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('parseManifest', () => {
  it('parses an OCI index with platforms, annotations and unknown fields left alone', () => {
    const m = parseManifest(
      enc({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          {
            mediaType: MediaType.ociManifest,
            digest: D('1'),
            size: 10,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          {
            mediaType: MediaType.ociManifest,
            digest: D('2'),
            size: 11,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          },
        ],
        annotations: { 'org.opencontainers.image.version': '1.2.3' },
        'x-vendor': { anything: true },
      }),
    );
    expect(m.kind).toBe('index');
    if (m.kind !== 'index') return;
    expect(m.manifests.map((d) => d.platform && formatPlatform(d.platform))).toEqual([
      'linux/arm64/v8',
      'unknown/unknown',
    ]);
    expect(m.annotations).toEqual({ 'org.opencontainers.image.version': '1.2.3' });
  });

  it('takes the media type from Content-Type when the body has none (OCI allows that)', () => {
    const m = parseManifest(
      enc({
        schemaVersion: 2,
        config: { mediaType: MediaType.ociConfig, digest: D('3'), size: 2 },
        layers: [],
      }),
      'application/vnd.oci.image.manifest.v1+json; charset=utf-8',
    );
    expect(m).toMatchObject({ kind: 'image', mediaType: MediaType.ociManifest });
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '[]'],
    ['schemaVersion', { schemaVersion: 3 }],
    [
      'digest',
      {
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [{ mediaType: 'x', digest: 'nope', size: 1 }],
      },
    ],
    [
      'size',
      {
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [{ mediaType: 'x', digest: D('1'), size: -1 }],
      },
    ],
    [
      'platform',
      {
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [{ mediaType: 'x', digest: D('1'), size: 1, platform: { os: 'linux' } }],
      },
    ],
    [
      'annotations',
      { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [], annotations: { a: 1 } },
    ],
  ])('refuses a manifest with a bad %s as PROTOCOL', (what, body) => {
    expect(() => parseManifest(enc(body))).toThrowError(
      expect.objectContaining({ code: 'PROTOCOL' }) as unknown as RegistryError,
    );
  });

  it('normalises Content-Type', () => {
    expect(bareMediaType('Application/JSON ; charset=utf-8')).toBe('application/json');
    expect(bareMediaType(null)).toBe('');
  });
});

describe('retry timing and challenges', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off with full jitter, capped', () => {
    expect(backoffMs(0, 200, 10_000, () => 1)).toBe(200);
    expect(backoffMs(3, 200, 10_000, () => 1)).toBe(1600);
    expect(backoffMs(10, 200, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(3, 200, 10_000, () => 0)).toBe(0);
  });

  it('parses Bearer and Basic challenges, quoted commas included', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push",error="insufficient_scope"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://ghcr.io/token',
        service: 'ghcr.io',
        scope: 'repository:a/b:pull,push',
        error: 'insufficient_scope',
      },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it('admits at most `limit` tasks at once', async () => {
    const s = new Semaphore(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 7 }, () =>
        s.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});
