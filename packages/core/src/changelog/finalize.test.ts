import { describe, expect, it } from 'vitest';
import { crlf, FINALIZED, FROZEN, ORIGIN, thrown } from './__tests__/samples.js';
import { finalize } from './finalize.js';

describe('finalize', () => {
  const opts = { repository: 'o/r', date: '2026-03-04' };

  it('writes the linked, dated heading and changes nothing else', () => {
    expect(finalize(FROZEN, '1.2.0', opts)).toBe(FINALIZED);
    expect(finalize(crlf(FROZEN), '1.2.0', opts)).toBe(crlf(FINALIZED));
  });

  it('is a no-op when re-run with the same arguments or without any', () => {
    expect(finalize(FINALIZED, '1.2.0', opts)).toBe(FINALIZED);
    expect(finalize(FINALIZED, '1.2.0')).toBe(FINALIZED);
  });

  it('takes the date from the injected clock (UTC) and the repository from the file', () => {
    const clock = { now: () => new Date('2026-03-04T23:30:00-05:00') };
    expect(finalize(FROZEN, '1.2.0', { clock })).toBe(FINALIZED.replace('2026-03-04', '2026-03-05'));
  });

  it('errors on a different date, prefix or repository for a finalized section', () => {
    expect(thrown(() => finalize(FINALIZED, '1.2.0', { ...opts, date: '2026-03-05' })).message).toMatch(
      /^line 19, column 57: 1\.2\.0 is already finalized with date 2026-03-04, not 2026-03-05/,
    );
    expect(thrown(() => finalize(FINALIZED, '1.2.0', { ...opts, tagPrefix: 'v' })).message).toMatch(
      /^line 19, column 5: 1\.2\.0 is already finalized as "1\.2\.0", but tag prefix "v" gives "v1\.2\.0"/,
    );
    expect(thrown(() => finalize(FINALIZED, '1.2.0', { ...opts, repository: 'o/other' })).message).toMatch(
      /^line 19, column 12: 1\.2\.0 is already finalized with link https:\/\/github\.com\/o\/r\//,
    );
  });

  it('uses defaultRepository (e.g. $GITHUB_REPOSITORY) for new links only, never against an existing one', () => {
    expect(finalize(FROZEN, '1.2.0', { defaultRepository: 'o/r', date: '2026-03-04' })).toBe(FINALIZED);
    expect(finalize(FROZEN, '1.2.0', { defaultRepository: 'o/renamed', date: '2026-03-04' })).toBe(
      FINALIZED.replace('github.com/o/r/releases/tag/1.2.0', 'github.com/o/renamed/releases/tag/1.2.0'),
    );
    expect(
      finalize(FROZEN, '1.2.0', { repository: 'o/x', defaultRepository: 'o/y', date: '2026-03-04' }),
    ).toContain('## [1.2.0](https://github.com/o/x/releases/tag/1.2.0) - 2026-03-04');
    expect(finalize(FINALIZED, '1.2.0', { defaultRepository: 'o/renamed' })).toBe(FINALIZED);
  });

  it('errors on a missing TBD section, naming where it looked', () => {
    const e = thrown(() => finalize(ORIGIN, '1.2.0', opts));
    expect(e.code).toBe('CHANGELOG_STATE');
    expect(e.message).toMatch(/^line 5, column 1: no section for 1\.2\.0: expected "## \[1\.2\.0\] - TBD"/);
  });

  it('explains a heading that mentions the version but is malformed, and an unclosed fence', () => {
    const bad = FROZEN.replace('## [1.2.0] - TBD', '## [1.2.0 - TBD');
    const e = thrown(() => finalize(bad, '1.2.0', opts));
    expect(e.code).toBe('CHANGELOG_PARSE');
    expect(e.message).toMatch(
      /^line 19, column 4: this heading mentions 1\.2\.0 but is not a release heading/,
    );
    const fenced = FROZEN.replace('### Security\n', '### Security\n\n```\n');
    const f = thrown(() => finalize(fenced, '1.2.0', opts));
    expect(f.code).toBe('CHANGELOG_PARSE');
    expect(f.message).toMatch(
      /^line 19, column 1: no section for 1\.2\.0: the code fence opened here is never closed/,
    );
  });

  it('refuses duplicate sections and needs a repository when the file names none', () => {
    const dup = `${FROZEN}\n## [1.2.0] - TBD\n`;
    expect(thrown(() => finalize(dup, '1.2.0', opts)).message).toMatch(
      /^line 36, column 1: version 1\.2\.0 has a second section/,
    );
    const bare = '## [1.0.0] - TBD\n\n- x\n';
    expect(thrown(() => finalize(bare, '1.0.0', { date: '2026-01-01' })).message).toMatch(
      /^line 1, column 1: finalize needs the GitHub repository/,
    );
  });

  it('rejects bad arguments with INVALID_ARGUMENT', () => {
    expect(thrown(() => finalize(FROZEN, '1.2.0', { ...opts, date: '2026-02-30' })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrown(() => finalize(FROZEN, '1.2.0', { ...opts, repository: 'o/r/x' })).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(thrown(() => finalize(FROZEN, '1.2.0', { ...opts, tagPrefix: 'a b' })).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('puts the tag prefix in the label and the link, as the origin does', () => {
    expect(finalize('## [1.0.0] - TBD\n', '1.0.0', { ...opts, tagPrefix: 'v' })).toBe(
      '## [v1.0.0](https://github.com/o/r/releases/tag/v1.0.0) - 2026-03-04\n',
    );
    expect(finalize('## [1.0.0] - TBD\n', 'v1.0.0', opts)).toBe(
      '## [v1.0.0](https://github.com/o/r/releases/tag/v1.0.0) - 2026-03-04\n',
    );
  });

  it('keeps a house style of bare labels with prefixed tags', () => {
    const text =
      '## [1.1.0] - TBD\n\n- y\n\n## [1.0.0](https://github.com/o/r/releases/tag/v1.0.0) - 2026-01-01\n\n- x\n';
    expect(finalize(text, '1.1.0', { date: '2026-02-02' })).toBe(
      text.replace('## [1.1.0] - TBD', '## [1.1.0](https://github.com/o/r/releases/tag/v1.1.0) - 2026-02-02'),
    );
  });

  describe('in a file that links versions through reference definitions', () => {
    const REFS = `# Changelog

## [Unreleased]

## [1.1.0] - TBD

### Added

- thing

## [1.0.0] - 2026-01-01

- first

[Unreleased]: https://github.com/o/r/compare/v1.0.0...HEAD
[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0
`;
    const DONE = REFS.replace('## [1.1.0] - TBD', '## [1.1.0] - 2026-02-02')
      .replace('compare/v1.0.0...HEAD', 'compare/v1.1.0...HEAD')
      .replace('[1.0.0]: https', '[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0\n[1.0.0]: https');

    it('dates the heading, adds `[X.Y.Z]:` and updates `[Unreleased]:`', () => {
      expect(finalize(REFS, '1.1.0', { date: '2026-02-02' })).toBe(DONE);
      expect(finalize(DONE, '1.1.0', { date: '2026-02-02' })).toBe(DONE);
      expect(finalize(crlf(REFS), '1.1.0', { date: '2026-02-02' })).toBe(crlf(DONE));
    });

    it('updates a stale `[X.Y.Z]:` definition instead of adding a second one', () => {
      const stale = REFS.replace('[1.0.0]: https', '[1.1.0]: https://example.com/old\n[1.0.0]: https');
      expect(finalize(stale, '1.1.0', { date: '2026-02-02' })).toBe(DONE);
    });

    it('links the first release from where Unreleased compared, in the file’s bare-label style', () => {
      const first =
        '## [Unreleased]\n\n## [0.1.0] - TBD\n\n- x\n\n[Unreleased]: https://github.com/o/r/compare/abc123...HEAD\n';
      expect(finalize(first, '0.1.0', { date: '2026-02-02', tagPrefix: 'v' })).toBe(
        '## [Unreleased]\n\n## [0.1.0] - 2026-02-02\n\n- x\n\n[Unreleased]: https://github.com/o/r/compare/v0.1.0...HEAD\n' +
          '[0.1.0]: https://github.com/o/r/compare/abc123...v0.1.0\n',
      );
    });
  });
});
