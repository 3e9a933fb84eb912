import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { ReleaseError } from './errors.js';
import { fixedPrefix, hasTopLevelAlternation, identityRegexpProblem } from './identity-policy.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const config = (identityRegexp: string, extra: Record<string, unknown> = {}) => ({
  repository: 'acme/app',
  images: [{ name: 'ghcr.io/acme/app' }],
  signing: { issuer: ISSUER, identityRegexp, ...extra },
});

function refusal(input: unknown): { path: string; message: string }[] {
  try {
    parseConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ReleaseError);
    return (e as ReleaseError).details?.issues as { path: string; message: string }[];
  }
  throw new Error('the config was accepted');
}

/** Identities a fork, a look-alike repository or another host could get signed. */
const ADVERSARIES = [
  'https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main',
  'https://github.com/acme/app-evil/.github/workflows/release.yml@refs/heads/main',
  'https://github.com/acme/appx/.github/workflows/release.yml@refs/heads/main',
  'https://github.com/evil/acme/app/.github/workflows/release.yml@refs/heads/main',
  'https://evil.com/acme/app/.github/workflows/release.yml@refs/heads/main',
  'https://githubXcom/acme/app/.github/workflows/release.yml@refs/heads/main',
  'https://github.com.evil.com/acme/app/.github/workflows/release.yml@refs/heads/main',
  'http://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
  'xhttps://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
];

describe('identity regexps are checked structurally (signing.identityRegexp)', () => {
  it.each([
    ['any repository on github.com', 'https://github\\.com/.*'],
    ['anything but x', '[^x]+'],
    ['anything', '.*'],
    ['a prefix trick: acme/app-evil matches too', 'https://github.com/acme/app.*'],
    ['escaped, but still a prefix trick', 'https://github\\.com/acme/app.*'],
    ['a suffix trick: any host and scheme', '.*github.com/acme/app/.*'],
    ['an escaped suffix trick', '.*github\\.com/acme/app/.*'],
    ['another repository', 'https://github\\.com/acme/app-evil/\\.github/workflows/release\\.yml@.*'],
    ['a fork', 'https://github\\.com/evil/app/.*'],
    ['unescaped dots in the host', 'https://github.com/acme/app/.*'],
    ['an alternation', 'https://github\\.com/acme/app/.*|https://github\\.com/evil/app/.*'],
    ['an alternation with anything', 'https://github\\.com/acme/app/.*|.*'],
    ['an optional slash', 'https://github\\.com/acme/app/?.*'],
    ['an optional repository character', 'https://github\\.com/acme/apps?/.*'],
    ['a character class in the owner', 'https://github\\.com/[a-z]+/app/.*'],
    ['a group around the repository', 'https://github\\.com/(acme|evil)/app/.*'],
    ['another host with the GitHub Actions issuer', 'https://gitlab\\.com/acme/app/.*'],
    ['an optional scheme letter', 'https?://github\\.com/acme/app/.*'],
  ])('refuses %s: %s, with its JSON path', (_name, re) => {
    const issues = refusal(config(re));
    expect(issues.map((i) => i.path)).toContain('$.signing.identityRegexp');
    // the check is sound: whatever it refuses, it accepts nothing an adversary could use
  });

  it.each([
    'https://github\\.com/acme/app/.*',
    'https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/heads/release/.*',
    'https://github\\.com/acme/app/\\.github/workflows/(release|publish)\\.yml@refs/(heads|tags)/.+',
    '^https://github\\.com/acme/app/.+',
    'https://github\\.com/ACME/App/.*',
  ])('accepts %s and it rejects every adversarial identity', (re) => {
    expect(() => parseConfig(config(re))).not.toThrow();
    const anchored = new RegExp(`^(?:${re})$`, 'u');
    for (const identity of ADVERSARIES) expect(anchored.test(identity), identity).toBe(false);
    expect(
      anchored.test('https://github.com/acme/app/.github/workflows/release.yml@refs/heads/release/1.2.3'),
    ).toBe(re.includes('ACME') ? false : true);
  });

  it('accepts repositories listed in signing.trustedSigners (a shared release workflow)', () => {
    const re = 'https://github\\.com/acme/release-workflows/\\.github/workflows/sign\\.yml@.*';
    expect(refusal(config(re))[0]?.message).toMatch(/neither the repository .* nor listed/);
    expect(() => parseConfig(config(re, { trustedSigners: ['acme/release-workflows'] }))).not.toThrow();
    expect(refusal(config(re, { trustedSigners: ['acme/other'] }))[0]?.path).toBe('$.signing.identityRegexp');
    expect(refusal(config(re, { trustedSigners: ['not a repo'] }))[0]?.path).toBe(
      '$.signing.trustedSigners[0]',
    );
  });

  it('allows another host when the issuer is not GitHub Actions (GitHub Enterprise), still pinned', () => {
    const ghes = {
      repository: 'acme/app',
      signing: {
        issuer: 'https://ghe.example.com/_services/token',
        identityRegexp: 'https://ghe\\.example\\.com/acme/app/.*',
      },
    };
    expect(() => parseConfig(ghes)).not.toThrow();
    expect(
      refusal({
        ...ghes,
        signing: { ...ghes.signing, identityRegexp: 'https://ghe.example.com/acme/app/.*' },
      })[0]?.path,
    ).toBe('$.signing.identityRegexp');
  });

  it('leaves exact identities and keyed signing alone', () => {
    expect(() =>
      parseConfig({
        ...config('x'),
        signing: {
          issuer: ISSUER,
          identity: 'https://github.com/acme/app/.github/workflows/r.yml@refs/heads/main',
        },
      }),
    ).not.toThrow();
  });

  it('reads the fixed beginning of a regexp', () => {
    expect(fixedPrefix('https://github\\.com/acme/app/.*')).toBe('https://github.com/acme/app/');
    expect(fixedPrefix('^https://github\\.com/a/b/x+y')).toBe('https://github.com/a/b/x');
    expect(fixedPrefix('https://github\\.com/a/bs?/')).toBe('https://github.com/a/b');
    expect(fixedPrefix('https://github\\.com/a/b{1}/')).toBe('https://github.com/a/');
    expect(fixedPrefix('\\d+')).toBe('');
    expect(hasTopLevelAlternation('a(b|c)[|]\\|')).toBe(false);
    expect(hasTopLevelAlternation('a(b)|c')).toBe(true);
    expect(identityRegexpProblem('(', { repository: 'acme/app', issuer: ISSUER })).toMatch(/invalid regexp/);
  });
});
