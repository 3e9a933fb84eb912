import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './policy.js';

const SAN = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
const ISSUER = 'https://token.actions.githubusercontent.com';
const spki = Buffer.from('k');
const facts = (over: object = {}) => ({
  identity: SAN,
  issuer: ISSUER,
  claims: { sourceRepositoryUri: 'https://github.com/acme/app', sourceRepositoryRef: 'refs/tags/v1.2.3' },
  publicKeySpki: spki,
  ...over,
});

describe('compilePolicy', () => {
  it('accepts the exact identity and issuer, and anchored claim regexps', () => {
    const p = compilePolicy({
      identity: SAN,
      issuer: ISSUER,
      claims: {
        sourceRepositoryUri: 'https://github.com/acme/app',
        sourceRepositoryRef: { regexp: 'refs/tags/v.+' },
      },
    });
    expect(p.check(facts())).toBeUndefined();
    expect(
      p.check(
        facts({
          claims: {
            sourceRepositoryUri: 'https://github.com/acme/app',
            sourceRepositoryRef: 'x/refs/tags/v1',
          },
        }),
      ),
    ).toMatch(/sourceRepositoryRef/);
    expect(p.check(facts({ claims: {} }))).toMatch(/sourceRepositoryUri is missing/);
  });

  it('matches the issuer exactly and never accepts a keyed signer for an identity policy', () => {
    const p = compilePolicy({ identityRegexp: 'https://github\\.com/acme/app/.+', issuer: ISSUER });
    expect(p.check(facts({ issuer: `${ISSUER}/` }))).toMatch(/issuer/);
    expect(p.check(facts({ identity: undefined }))).toMatch(/key/);
    expect(p.check(facts({ identity: `https://evil.example/?${SAN}` }))).toMatch(/does not match/);
  });

  it('refuses policies without an issuer, with an unknown claim, or accepting anyone', () => {
    expect(() => compilePolicy({ identity: SAN, issuer: '' })).toThrow(/issuer is required/);
    expect(() => compilePolicy({ identity: SAN, issuer: ISSUER, claims: { repo: 'x' } as never })).toThrow(
      /unknown claim/,
    );
    expect(() => compilePolicy({ identityRegexp: '.*', issuer: ISSUER })).toThrow(/accepts any identity/);
    expect(() => compilePolicy({ publicKey: 'not a key' })).toThrow(/PEM public key/);
  });

  it('compares keys by SubjectPublicKeyInfo', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const p = compilePolicy({ publicKey: pem });
    expect(p.kind).toBe('key');
    expect(
      p.check(facts({ publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }) })),
    ).toBeUndefined();
    expect(p.check(facts())).toMatch(/another key/);
  });
});
