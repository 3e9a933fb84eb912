import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReleaseError } from './errors.js';
import { compareVersions, floatingTags, formatTag, nextCandidate, parseVersion } from './version.js';

describe('parseVersion', () => {
  it('parses finals and candidates, with and without a tag prefix', () => {
    expect(parseVersion('1.2.3')).toMatchObject({ major: 1, minor: 2, patch: 3, candidate: undefined });
    expect(parseVersion('v0.10.0-rc12', 'v')).toMatchObject({
      minor: 10,
      candidate: 12,
      text: '0.10.0-rc12',
    });
  });

  it.each(['1.2', '01.2.3', '1.2.3-beta1', '1.2.3+build', 'v1.2.3', ' 1.2.3', '1.2.3-rc01', ''])(
    'refuses %j with INVALID_VERSION',
    (input) => {
      expect(() => parseVersion(input)).toThrowError(ReleaseError);
      try {
        parseVersion(input);
      } catch (e) {
        expect((e as ReleaseError).code).toBe('INVALID_VERSION');
      }
    },
  );

  it('round-trips every valid version through formatTag', () => {
    fc.assert(
      fc.property(fc.nat(999), fc.nat(999), fc.nat(999), fc.option(fc.nat(50)), (a, b, c, rc) => {
        const text = `${a}.${b}.${c}${rc === null ? '' : `-rc${rc}`}`;
        expect(formatTag(parseVersion(`v${text}`, 'v'), 'v')).toBe(`v${text}`);
      }),
    );
  });
});

describe('compareVersions', () => {
  it('orders candidates before their final and by number', () => {
    const sorted = ['1.0.0', '1.0.0-rc2', '0.9.10', '1.0.0-rc10', '0.9.9']
      .map((s) => parseVersion(s))
      .sort(compareVersions)
      .map((v) => v.text);
    expect(sorted).toEqual(['0.9.9', '0.9.10', '1.0.0-rc2', '1.0.0-rc10', '1.0.0']);
  });
});

describe('nextCandidate', () => {
  it('is rc1 when no candidate exists and max+1 otherwise', () => {
    expect(nextCandidate(parseVersion('2.0.0'), ['1.9.0', '2.0.1-rc3']).text).toBe('2.0.0-rc1');
    expect(nextCandidate(parseVersion('2.0.0'), ['v2.0.0-rc1', 'v2.0.0-rc9', 'v2.0.0-rc10'], 'v').text).toBe(
      '2.0.0-rc11',
    );
  });

  it('refuses a malformed candidate tag of the same base', () => {
    expect(() => nextCandidate(parseVersion('2.0.0'), ['2.0.0-rcX'])).toThrowError(/not a release version/);
  });
});

describe('floatingTags', () => {
  it('gives vX and vX.Y', () => {
    expect(floatingTags(parseVersion('3.4.5'), 'v')).toEqual(['v3', 'v3.4']);
  });
});

describe('runtime', () => {
  it('runs on Node >= 22 (the project pins Node 24 for its own tools)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});
