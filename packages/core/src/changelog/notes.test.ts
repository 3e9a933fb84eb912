import { describe, expect, it } from 'vitest';
import { FINALIZED, FROZEN, ORIGIN, thrown } from './__tests__/samples.js';
import { GITHUB_RELEASE_BODY_LIMIT, notes, releaseNotes, truncateNotes } from './notes.js';

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
