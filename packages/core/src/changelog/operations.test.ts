import { describe, expect, it } from 'vitest';
import { ReleaseError } from '../errors.js';
import {
  finalize,
  freeze,
  GITHUB_RELEASE_BODY_LIMIT,
  notes,
  releaseNotes,
  truncateNotes,
  unfreeze,
  validate,
} from './operations.js';
import { sectionState } from './ops.js';
import { parseChangelog } from './parse.js';

const HEADER = `# Changelog

All notable changes to this project will be documented in this file.

`;

const ORIGIN = `${HEADER}## Unreleased

### Added

- **New thing** ([#12](https://github.com/o/r/issues/12))
  - detail

### Changed

### Deprecated

### Removed

### Fixed

- A fix

### Security

## [1.1.0](https://github.com/o/r/releases/tag/1.1.0) - 2026-01-02

### Fixed

- Older fix
`;

const FROZEN = `${HEADER}## Unreleased

### Added

### Changed

### Deprecated

### Removed

### Fixed

### Security

## [1.2.0] - TBD

### Added

- **New thing** ([#12](https://github.com/o/r/issues/12))
  - detail

### Fixed

- A fix

## [1.1.0](https://github.com/o/r/releases/tag/1.1.0) - 2026-01-02

### Fixed

- Older fix
`;

const FINALIZED = FROZEN.replace(
  '## [1.2.0] - TBD',
  '## [1.2.0](https://github.com/o/r/releases/tag/1.2.0) - 2026-03-04',
);

/** Catches the error a call throws, for assertions on code and message. */
function thrown(fn: () => unknown): ReleaseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ReleaseError);
    return e as ReleaseError;
  }
  throw new Error('expected an error');
}

const crlf = (s: string) => s.replace(/\n/g, '\r\n');

describe('freeze', () => {
  it('moves the Unreleased entries under `## [X.Y.Z] - TBD` below a fresh six-subsection Unreleased', () => {
    expect(freeze(ORIGIN, '1.2.0')).toBe(FROZEN);
  });

  it('is idempotent', () => {
    expect(freeze(FROZEN, '1.2.0')).toBe(FROZEN);
  });

  it('keeps CRLF line endings on every line it writes', () => {
    const out = freeze(crlf(ORIGIN), '1.2.0');
    expect(out).toBe(crlf(FROZEN));
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('accepts `## [Unreleased]`, keeps its spelling, and adds the standard subsections it lacks', () => {
    const text = `# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n- x\n\n## [1.0.0] - 2026-01-01\n\n- first\n`;
    expect(freeze(text, '1.1.0')).toBe(
      `# Changelog\n\n## [Unreleased]\n\n### Added\n\n### Changed\n\n### Deprecated\n\n### Removed\n\n### Fixed\n\n` +
        `### Security\n\n## [1.1.0] - TBD\n\n### Fixed\n\n- x\n\n## [1.0.0] - 2026-01-01\n\n- first\n`,
    );
    expect(freeze(text, '1.1.0', { unreleasedSkeleton: 'empty' })).toBe(
      `# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - TBD\n\n### Fixed\n\n- x\n\n## [1.0.0] - 2026-01-01\n\n- first\n`,
    );
  });

  it('moves odd content byte for byte: trailing spaces, code blocks with `## ` lines, HTML comments, h4', () => {
    const text =
      `## Unreleased\n\n<!-- add entries below -->\n\n### Added   \n\n- a  \n\n  \`\`\`md\n## not a heading\n  \`\`\`\n\n` +
      `#### Sub\n\n- b\n\n### Nonstandard\n\n- c\n`;
    const out = freeze(text, '0.1.0', { unreleasedSkeleton: 'empty' });
    expect(out).toBe(
      `## Unreleased\n\n<!-- add entries below -->\n\n## [0.1.0] - TBD\n\n### Added   \n\n- a  \n\n  \`\`\`md\n## not a heading\n  \`\`\`\n\n` +
        `#### Sub\n\n- b\n\n### Nonstandard\n\n- c\n`,
    );
  });

  it('refuses an existing version, naming its line and column', () => {
    const e = thrown(() => freeze(ORIGIN, '1.1.0'));
    expect(e.code).toBe('CHANGELOG_STATE');
    expect(e.message).toMatch(/^line 24, column 1: version 1\.1\.0 already exists/);
    expect(e.details).toEqual({ line: 24, column: 1 });
  });

  it('refuses an Unreleased without entries', () => {
    const empty = FROZEN.replace('## [1.2.0] - TBD', '## [1.2.0] - 2026-01-05');
    const e = thrown(() => freeze(empty, '1.3.0'));
    expect(e.code).toBe('CHANGELOG_STATE');
    expect(e.message).toMatch(/^line 5, column 1: Unreleased has no entries/);
  });

  it('refuses a version that is not newer, a second frozen version and a missing Unreleased', () => {
    expect(thrown(() => freeze(ORIGIN, '1.0.9')).message).toMatch(
      /line 24, column 1: 1\.0\.9 is not newer than 1\.1\.0/,
    );
    const twice = FROZEN.replace('### Security\n\n## [1.2.0]', '### Security\n\n- new\n\n## [1.2.0]');
    expect(thrown(() => freeze(twice, '1.3.0')).message).toMatch(/1\.2\.0 is still frozen \(TBD\)/);
    expect(thrown(() => freeze(twice, '1.2.0')).message).toMatch(
      /1\.2\.0 is already frozen here, and Unreleased/,
    );
    expect(thrown(() => freeze('# Changelog\n', '1.0.0')).message).toMatch(
      /^line 1, column 1: no "## Unreleased"/,
    );
  });

  it('rejects a malformed version argument with INVALID_VERSION', () => {
    expect(thrown(() => freeze(ORIGIN, '1.2')).code).toBe('INVALID_VERSION');
    expect(thrown(() => freeze(ORIGIN, 'x1.2.0')).code).toBe('INVALID_VERSION');
  });
});

describe('unfreeze', () => {
  it('undoes a freeze exactly', () => {
    expect(unfreeze(FROZEN, '1.2.0')).toBe(ORIGIN);
    expect(unfreeze(crlf(FROZEN), '1.2.0')).toBe(crlf(ORIGIN));
  });

  it('is idempotent and leaves a file without the version alone', () => {
    expect(unfreeze(ORIGIN, '1.2.0')).toBe(ORIGIN);
  });

  it('merges into entries added to Unreleased since the freeze, frozen entries first', () => {
    const later = FROZEN.replace(
      '### Fixed\n\n### Security\n\n## [1.2.0]',
      '### Fixed\n\n- later fix\n\n### Security\n\n## [1.2.0]',
    );
    const out = unfreeze(later, '1.2.0');
    expect(out).toContain('### Fixed\n\n- A fix\n- later fix\n\n### Security\n\n## [1.1.0]');
    expect(sectionState(out, '1.2.0')).toBe('missing');
  });

  it('renames the frozen heading when there is no Unreleased section', () => {
    expect(unfreeze('# C\n\n## [1.0.0] - TBD\n\n- x\n', '1.0.0')).toBe('# C\n\n## Unreleased\n\n- x\n');
  });

  it('refuses to unfreeze a released version', () => {
    expect(thrown(() => unfreeze(FINALIZED, '1.2.0')).message).toMatch(
      /^line 19, column 1: 1\.2\.0 is already finalized/,
    );
  });
});

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

describe('notes', () => {
  it('is the section body without its heading, trimmed', () => {
    expect(notes(FINALIZED, '1.2.0')).toBe(
      '### Added\n\n- **New thing** ([#12](https://github.com/o/r/issues/12))\n  - detail\n\n### Fixed\n\n- A fix',
    );
    expect(notes(FROZEN, '1.2.0')).toBe(notes(FINALIZED, '1.2.0'));
    expect(notes(FINALIZED, '1.1.0')).toBe('### Fixed\n\n- Older fix');
  });

  it('does not end a section at a `## ` line inside a code block or an HTML comment', () => {
    const text =
      '## [1.0.0] - 2026-01-01\n\n```\n## [0.9.0] - x\n```\n<!--\n## [0.8.0]\n-->\n- y\n\n## [0.9.0] - 2025-01-01\n';
    expect(notes(text, '1.0.0')).toBe('```\n## [0.9.0] - x\n```\n<!--\n## [0.8.0]\n-->\n- y');
  });

  it('appends the link definitions the body uses from the bottom of the file', () => {
    const text =
      '## [1.0.0] - 2026-01-01\n\n- fix ([#3], [`rule`])\n\n## [0.9.0] - 2025-01-01\n\n- old [#1]\n\n' +
      '[1.0.0]: https://x/compare/v0.9.0...v1.0.0\n[#3]: https://x/pull/3\n[#1]: https://x/pull/1\n[`rule`]: ./docs/rule.md\n';
    expect(notes(text, '1.0.0')).toBe(
      '- fix ([#3], [`rule`])\n\n[#3]: https://x/pull/3\n[`rule`]: ./docs/rule.md',
    );
    expect(notes(text, '1.0.0', { resolveReferences: false })).toBe('- fix ([#3], [`rule`])');
    expect(notes(text, '0.9.0')).toBe('- old [#1]\n\n[#1]: https://x/pull/1');
  });

  it('previews Unreleased and names a missing version', () => {
    expect(notes(ORIGIN, 'unreleased')).toContain('- A fix');
    expect(thrown(() => notes(ORIGIN, '9.9.9')).message).toMatch(/^line 5, column 1: no section for 9\.9\.9/);
  });

  it(`cuts notes above GitHub's ${GITHUB_RELEASE_BODY_LIMIT} characters at a line, with a notice`, () => {
    const entry = '- an entry that is long enough to matter, with a [link](https://example.com/x)\n';
    const body = entry.repeat(Math.ceil(200_000 / entry.length));
    const text = `## [2.0.0] - 2026-01-01\n\n${body}\n## [1.0.0] - 2025-01-01\n`;
    const r = releaseNotes(text, '2.0.0', { fullNotesUrl: 'https://github.com/o/r/blob/main/CHANGELOG.md' });
    expect(r.truncated).toBe(true);
    expect(r.fullLength).toBe(body.trimEnd().length);
    expect(r.body.length).toBeLessThanOrEqual(GITHUB_RELEASE_BODY_LIMIT);
    expect(r.body.length).toBeGreaterThan(GITHUB_RELEASE_BODY_LIMIT - entry.length - 300);
    expect(r.body).toMatch(
      /\(https:\/\/example\.com\/x\)\n\n---\n\n\*These release notes were cut to fit GitHub's limit of 125,000 characters; the full notes are in \[the CHANGELOG\]\(https:\/\/github\.com\/o\/r\/blob\/main\/CHANGELOG\.md\)\.\*$/,
    );
    // Cutting again changes nothing: the result already fits.
    expect(truncateNotes(r.body).body).toBe(r.body);
  });

  it('closes a code fence or comment the cut leaves open, and keeps short notes whole', () => {
    const long = `\`\`\`\n${'x'.repeat(50)}\n`.repeat(1) + `${'line\n'.repeat(100)}`;
    const cut = truncateNotes(long, 300);
    expect(cut.truncated).toBe(true);
    expect(cut.body.length).toBeLessThanOrEqual(300);
    expect(cut.body).toMatch(/\n```\n\n---\n\n\*These release notes were cut/);
    const comment = truncateNotes(`<!--\n${'c\n'.repeat(200)}-->\n`, 300);
    expect(comment.body).toMatch(/\n-->\n\n---/);
    const exact = 'y'.repeat(GITHUB_RELEASE_BODY_LIMIT);
    expect(truncateNotes(exact)).toEqual({ body: exact, truncated: false });
    const one = truncateNotes(`${'z'.repeat(130_000)}\u{1F600}`, 125_000);
    expect(one.body.length).toBeLessThanOrEqual(125_000);
  });
});

describe('validate', () => {
  it('passes a well-formed file, and checks a version is finalized (the #455 check)', () => {
    const ok = validate(FINALIZED, { version: '1.2.0', today: '2026-03-04' });
    expect(ok).toMatchObject({ ok: true, errors: 0, warnings: 0, issues: [] });
    expect(ok.releases.map((r) => [r.version, r.state, r.date])).toEqual([
      ['1.2.0', 'dated', '2026-03-04'],
      ['1.1.0', 'dated', '2026-01-02'],
    ]);
    const tbd = validate(FROZEN, { version: '1.2.0', today: '2026-03-04' });
    expect(tbd.ok).toBe(false);
    expect(tbd.issues).toEqual([
      expect.objectContaining({ severity: 'error', code: 'not-finalized', line: 19, column: 14 }),
    ]);
    expect(validate(FROZEN, { version: '1.2.0', expect: 'frozen' }).ok).toBe(true);
    expect(validate(FROZEN, { version: '3.0.0' }).issues[0]).toMatchObject({
      code: 'missing-version',
      line: 5,
    });
  });

  it('reports structure problems with line and column', () => {
    const text = `# Changelog

## Unreleased

### Addded

## [1.0.0] - TBD

## [1.2.0] - 2026-02-30

## [1.1.0] - 2099-01-01

- x

## [1.1.0] - 2025-01-01

- y

## Notes
`;
    const r = validate(text, { today: '2026-01-01' });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => `${i.line}:${i.column} ${i.severity} ${i.code}`)).toEqual([
      '5:1 warning unknown-subsection',
      '9:1 error version-order',
      '9:1 warning empty-release',
      '9:14 error invalid-date',
      '11:14 warning future-date',
      '15:1 error duplicate-version',
      '19:1 warning unrecognized-heading',
    ]);
    const tbdBelow = validate(
      FINALIZED.replace(
        '## [1.1.0](https://github.com/o/r/releases/tag/1.1.0) - 2026-01-02',
        '## [1.1.0] - TBD',
      ),
    );
    expect(tbdBelow.issues).toEqual([
      expect.objectContaining({ code: 'tbd-in-released', line: 30, column: 14 }),
    ]);
    expect(validate('# Changelog\n').issues[0]).toMatchObject({
      code: 'missing-unreleased',
      severity: 'warning',
    });
  });
});

describe('parser edge cases', () => {
  it('handles a BOM, lone CR line endings and no final newline', () => {
    const text = '\uFEFF## [1.0.0] - TBD\r\r- x';
    const out = finalize(text, '1.0.0', { repository: 'o/r', date: '2026-01-01' });
    expect(out).toBe('\uFEFF## [1.0.0](https://github.com/o/r/releases/tag/1.0.0) - 2026-01-01\r\r- x');
    expect(notes(out, '1.0.0')).toBe('- x');
  });

  it('reads dialects of release headings', () => {
    const doc = parseChangelog(
      [
        '## [Unreleased] - TBD',
        '## 2.0.0 (Unreleased)',
        '## v1.9.0 - ????-??-??',
        '## [1.8.0] – 2026.01.02 [YANKED]',
        '## 1.7.0',
        '## [1.6.0](https://x) - 2025-01-01',
        '## Older releases',
        '## [1.5.0] - sometime',
      ].join('\n'),
    );
    expect(
      doc.sections.map((s) => [s.kind, s.version ?? null, s.state ?? null, s.date?.iso ?? null]),
    ).toEqual([
      ['unreleased', null, 'unreleased', null],
      ['release', '2.0.0', 'frozen', null],
      ['release', '1.9.0', 'frozen', null],
      ['release', '1.8.0', 'dated', '2026-01-02'],
      ['release', '1.7.0', 'undated', null],
      ['release', '1.6.0', 'dated', '2025-01-01'],
      ['other', null, null, null],
      ['release', '1.5.0', 'unknown', null],
    ]);
  });

  it('refuses binary input with CHANGELOG_PARSE and a position', () => {
    const e = thrown(() => parseChangelog('# x\n\0'));
    expect(e.code).toBe('CHANGELOG_PARSE');
    expect(e.message).toMatch(/^line 2, column 1: the file contains a NUL character/);
  });
});
