import { describe, expect, it } from 'vitest';
import { decodeDerUtf8String, decodeFulcioClaims, encodeDerUtf8String } from './claims.js';

const oid = (arc: number) => ({ id: [1, 3, 6, 1, 4, 1, 57264, 1, arc] });

describe('Fulcio claims', () => {
  it('round-trips DER UTF8String of short, 1-byte and 2-byte lengths', () => {
    for (const s of ['push', 'x'.repeat(200), 'é'.repeat(300)]) {
      const der = encodeDerUtf8String(s);
      expect(der[0]).toBe(0x0c);
      expect(decodeDerUtf8String(der)).toBe(s);
    }
  });

  it('refuses malformed DER (wrong tag, length past the end, trailing bytes)', () => {
    expect(decodeDerUtf8String(Buffer.from('push'))).toBeUndefined();
    expect(decodeDerUtf8String(Buffer.from([0x0c, 5, 0x61]))).toBeUndefined();
    expect(decodeDerUtf8String(Buffer.from([0x0c, 1, 0x61, 0x62]))).toBeUndefined();
  });

  it('decodes v2 extensions (>= .8) as DER and v1 extensions as raw bytes; the v2 issuer wins', () => {
    const claims = decodeFulcioClaims([
      { oid: oid(1), value: Buffer.from('https://v1.example') },
      { oid: oid(2), value: Buffer.from('push') },
      { oid: oid(8), value: encodeDerUtf8String('https://token.actions.githubusercontent.com') },
      {
        oid: oid(9),
        value: encodeDerUtf8String('https://github.com/acme/app/.github/workflows/r.yml@refs/tags/v1'),
      },
      { oid: oid(12), value: encodeDerUtf8String('https://github.com/acme/app') },
      { oid: oid(14), value: encodeDerUtf8String('refs/tags/v1') },
      { oid: oid(20), value: encodeDerUtf8String('release') },
      // A raw (not DER) value under a v2 OID is not trusted as a claim.
      { oid: oid(11), value: Buffer.from('github-hosted') },
      { oid: { id: [2, 5, 29, 17] }, value: Buffer.from('ignored') },
    ]);
    expect(claims).toEqual({
      issuer: 'https://token.actions.githubusercontent.com',
      githubWorkflowTrigger: 'push',
      buildSignerUri: 'https://github.com/acme/app/.github/workflows/r.yml@refs/tags/v1',
      sourceRepositoryUri: 'https://github.com/acme/app',
      sourceRepositoryRef: 'refs/tags/v1',
      buildTrigger: 'release',
    });
  });
});
