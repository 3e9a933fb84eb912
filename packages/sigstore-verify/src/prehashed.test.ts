import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPrehashed } from './prehashed.js';

describe('verifyPrehashed', () => {
  const data = Buffer.from('the artifact');
  for (const [label, opts, hash] of [
    ['ECDSA P-256 / SHA-256', { type: 'ec', namedCurve: 'prime256v1' }, 'sha256'],
    ['ECDSA P-384 / SHA-384', { type: 'ec', namedCurve: 'secp384r1' }, 'sha384'],
    ['ECDSA P-256 / SHA-384 (digest truncated)', { type: 'ec', namedCurve: 'prime256v1' }, 'sha384'],
    ['RSA PKCS#1 v1.5 / SHA-256', { type: 'rsa', modulusLength: 2048 }, 'sha256'],
  ] as const) {
    it(`agrees with node:crypto for ${label}`, () => {
      const { privateKey, publicKey } =
        opts.type === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: opts.namedCurve })
          : generateKeyPairSync('rsa', { modulusLength: opts.modulusLength });
      const digest = createHash(hash).update(data).digest();
      for (let i = 0; i < 3; i++) {
        const sig = sign(hash, data, privateKey);
        expect(verifyPrehashed(publicKey, digest, sig)).toBe(true);
        const other = createHash(hash).update('another artifact').digest();
        expect(verifyPrehashed(publicKey, other, sig)).toBe(false);
        const bad = Buffer.from(sig);
        bad[bad.length - 1]! ^= 1;
        expect(verifyPrehashed(publicKey, digest, bad)).toBe(false);
      }
    });
  }
  it('refuses keys it cannot verify prehashed (Ed25519)', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(verifyPrehashed(publicKey, Buffer.alloc(32), Buffer.alloc(64))).toBe(false);
  });
});
