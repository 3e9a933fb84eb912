import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReleaseError } from './errors.js';
import {
  candidateTagsOf,
  compareVersions,
  finalVersionsOf,
  floatingTags,
  formatTag,
  nextCandidate,
  parseTag,
  parseVersion,
} from './version.js';

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

  it('refuses numbers too large to compare (1000 digits would be Infinity), naming the tag', () => {
    const huge = `${'9'.repeat(1000)}.0.0`;
    expect(() => parseVersion(huge)).toThrowError(/not a release version: a number in it is larger than/);
    expect(() => parseVersion('1.2.9007199254740993')).toThrowError(/larger than 9007199254740991/);
    expect(parseVersion('1.2.9007199254740991').patch).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseTag(huge)).toBeUndefined();
    expect(() =>
      nextCandidate(parseVersion('2.0.0'), ['2.0.0-rc1', `2.0.0-rc${'9'.repeat(400)}`]),
    ).toThrowError(/larger than/);
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

describe('parseTag / formatTag', () => {
  it('read and make tags with the tag prefix; other tags read as undefined', () => {
    const v = parseVersion('1.2.3-rc2');
    expect(formatTag(v, 'v')).toBe('v1.2.3-rc2');
    expect(parseTag('v1.2.3-rc2', 'v')).toMatchObject({ major: 1, candidate: 2, text: '1.2.3-rc2' });
    for (const t of ['1.2.3', 'vnext', 'v1.2', 'v1.2.3-beta1', 'v01.2.3', 'latest']) {
      expect(parseTag(t, 'v'), t).toBeUndefined();
    }
    expect(parseTag('1.2.3')?.text).toBe('1.2.3');
  });

  it('a version reads as its text in messages and JSON', () => {
    const v = parseVersion('1.2.3');
    expect(`${v}`).toBe('1.2.3');
    expect(JSON.stringify({ version: v })).toBe('{"version":"1.2.3"}');
    expect(Object.keys(v)).toEqual(['major', 'minor', 'patch', 'candidate', 'text']);
  });

  it('lists candidates of a base in release order and finals newest first', () => {
    const tags = ['v1.2.3-rc10', 'v1.2.3-rc2', 'v1.2.3', 'v1.2.4-rc1', 'v1.10.0', 'v1.2.3-rcX', 'x'];
    expect(candidateTagsOf(parseVersion('1.2.3'), tags, 'v').map((c) => c.tag)).toEqual([
      'v1.2.3-rc2',
      'v1.2.3-rc10',
    ]);
    expect(finalVersionsOf(tags, 'v').map((v) => v.text)).toEqual(['1.10.0', '1.2.3']);
  });
});
