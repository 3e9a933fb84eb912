import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.js';

const reference = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('sha256Hex (JavaScript SHA-256 for small inputs)', () => {
  it('gives the FIPS 180-4 example digests', () => {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    expect(sha256Hex(utf8(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(utf8('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto on every length up to three blocks and past the padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = randomBytes(n);
      expect(sha256Hex(bytes), `length ${n}`).toBe(reference(bytes));
    }
    for (const n of [255, 256, 447, 448, 511, 512, 1023, 1024, 4095, 4096, 4097, 65_535, 65_536, 1_000_003]) {
      const bytes = randomBytes(n);
      expect(sha256Hex(bytes), `length ${n}`).toBe(reference(bytes));
    }
  });

  it('agrees with node:crypto on all-zero and all-0xff inputs and on a view into a larger buffer', () => {
    for (const fill of [0x00, 0xff]) {
      const bytes = new Uint8Array(1000).fill(fill);
      expect(sha256Hex(bytes)).toBe(reference(bytes));
    }
    const big = randomBytes(300);
    const view = big.subarray(17, 250);
    expect(sha256Hex(view)).toBe(reference(view));
  });
});
