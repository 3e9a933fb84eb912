import { describe, expect, it } from 'vitest';
import { thrown } from './__tests__/samples.js';
import { finalize } from './finalize.js';
import { notes } from './notes.js';
import { parseChangelog } from './parse.js';

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
