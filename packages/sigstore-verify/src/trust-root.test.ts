import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrustRoot, publicGoodTrustRoot, refreshTrustRoot } from './trust-root.js';

import PUBLIC_GOOD from './trusted-roots/public-good.json' with { type: 'json' };

type Entry = { validFor?: { start?: string; end?: string }; publicKey: { validFor: { start?: string } } };
/** A mutable deep copy of the pinned root. */
const root = () => JSON.parse(JSON.stringify(PUBLIC_GOOD)) as Record<string, Entry[]>;

describe('trust roots', () => {
  it('ships the public-good root, usable offline', () => {
    const r = publicGoodTrustRoot();
    expect(r.source).toBe('public-good (pinned)');
    expect(r.root.tlogs.length).toBeGreaterThan(0);
    expect(r.root.certificateAuthorities.length).toBeGreaterThan(0);
  });

  it('is byte-identical to the root @sigstore/tuf embeds in its seeds (flags a stale pin on upgrade)', () => {
    const require = createRequire(import.meta.url);
    const seeds = JSON.parse(readFileSync(require.resolve('@sigstore/tuf/seeds.json'), 'utf8')) as Record<
      string,
      { targets: Record<string, string> }
    >;
    const embedded = Buffer.from(
      seeds['https://tuf-repo-cdn.sigstore.dev']!.targets['trusted_root.json']!,
      'base64',
    );
    const pinned = readFileSync(new URL('./trusted-roots/public-good.json', import.meta.url));
    expect(pinned.equals(embedded)).toBe(true);
  });

  it('rejects missing validity starts, inverted windows and foreign documents', () => {
    const noStart = root();
    delete noStart.tlogs![0]!.publicKey.validFor.start;
    expect(() => parseTrustRoot(noStart, 't')).toThrow(/tlogs\[0\]\.publicKey: validFor\.start is missing/);
    const inverted = root();
    inverted.certificateAuthorities![0]!.validFor = {
      start: '2025-01-01T00:00:00Z',
      end: '2024-01-01T00:00:00Z',
    };
    expect(() => parseTrustRoot(inverted, 't')).toThrow(/end is before/);
    const caNoWindow = root();
    delete caNoWindow.timestampAuthorities![0]!.validFor;
    expect(() => parseTrustRoot(caNoWindow, 't')).toThrow(/timestampAuthorities\[0\]: validFor is missing/);
    expect(() => parseTrustRoot({ mediaType: 'x' }, 't')).toThrow(/mediaType/);
    expect(() =>
      parseTrustRoot({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1' }, 't'),
    ).toThrow(/names no/);
  });

  it('a failed TUF refresh is a clear error, and the pinned root still works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-tuf-'));
    await expect(
      refreshTrustRoot({ cachePath: join(dir, 'cache'), mirrorURL: 'http://127.0.0.1:9', timeoutMs: 500 }),
    ).rejects.toMatchObject({ code: 'TRUST_ROOT_REFRESH_FAILED' });
    expect(publicGoodTrustRoot().root.tlogs.length).toBeGreaterThan(0);
  });
});
