import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assertDigest, digestOf } from './digest.js';
import { RegistryError } from './errors.js';

describe('digests', () => {
  it('hashes bytes the way registries do', () => {
    expect(digestOf(new TextEncoder().encode(''))).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
  it('refuses malformed digests with INVALID_REFERENCE', () => {
    for (const bad of ['sha256:ABC', 'sha512:' + 'a'.repeat(128), 'sha256:' + 'A'.repeat(64), '']) {
      expect(() => assertDigest(bad)).toThrowError(RegistryError);
    }
    expect(assertDigest('sha256:' + 'a'.repeat(64))).toBe('sha256:' + 'a'.repeat(64));
  });
});

describe('digestOf on either path', () => {
  it('gives node:crypto’s digest for inputs below, at and above the JavaScript path’s limit', () => {
    for (const n of [1, 1500, 4095, 4096, 4097, 70_000]) {
      const bytes = randomBytes(n);
      expect(digestOf(bytes), `length ${n}`).toBe(
        `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      );
    }
  });
});
