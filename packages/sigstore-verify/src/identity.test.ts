import { describe, expect, it } from 'vitest';
import { compileIdentity } from './identity.js';

describe('compileIdentity', () => {
  it('anchors regexps so a prefix or suffix of another identity never matches', () => {
    const m = compileIdentity({
      identityRegexp: 'https://github.com/acme/app/\\.github/workflows/release\\.yml@.*',
    });
    expect(m('https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3')).toBe(true);
    expect(m('https://evil-github.com/acme/app/.github/workflows/release.yml@x')).toBe(false);
    expect(compileIdentity({ identityRegexp: 'github.com/acme' })('evil-github.com/acme')).toBe(false);
  });
  it('matches plain identities exactly', () => {
    const m = compileIdentity({ identity: 'release@acme.example' });
    expect(m('release@acme.example')).toBe(true);
    expect(m('release@acme.example.evil')).toBe(false);
  });
  it('refuses policies that accept anyone', () => {
    expect(() => compileIdentity({ identityRegexp: '.*' })).toThrow(/accepts any identity/);
    expect(() => compileIdentity({ identity: '' })).toThrow(/empty/);
    expect(() => compileIdentity({ identityRegexp: '(' })).toThrow(/invalid identity regexp/);
  });
});
