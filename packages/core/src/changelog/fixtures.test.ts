import { describe, expect, it } from 'vitest';
import { fixture } from './__tests__/shared.js';
import { finalize } from './finalize.js';
import { freeze, unfreeze } from './freeze.js';
import { notes } from './notes.js';
import { validate } from './validate.js';
import { parseChangelog } from './parse.js';

/*
 * Large real Keep-a-Changelog files of other projects (fixtures/SOURCE.md names their commits):
 * `## [Unreleased]` with bottom compare links (tailwindcss, eslint-plugin-import), `## Unreleased`
 * with link definitions interleaved in every section and dotted dates (eslint-plugin-react), and
 * no Unreleased at all with typo'd headings (rich).
 */

/** The lines of b that are not in a at the same place, as [line number, text], after aligning an insertion. */
function diffLines(a: string, b: string): { removed: string[]; added: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (
    tail < x.length - head &&
    tail < y.length - head &&
    x[x.length - 1 - tail] === y[y.length - 1 - tail]
  )
    tail++;
  return { removed: x.slice(head, x.length - tail), added: y.slice(head, y.length - tail) };
}

const STYLES = [
  {
    file: 'tailwindcss.CHANGELOG.md',
    version: '4.4.0',
    heading: '## [4.4.0] - 2026-11-27',
    unreleased: '[unreleased]: https://github.com/tailwindlabs/tailwindcss/compare/v4.4.0...HEAD',
    definition: '[4.4.0]: https://github.com/tailwindlabs/tailwindcss/compare/v4.3.3...v4.4.0',
  },
  {
    file: 'eslint-plugin-import.CHANGELOG.md',
    version: '2.33.0',
    heading: '## [2.33.0] - 2026-11-27',
    unreleased: '[Unreleased]: https://github.com/import-js/eslint-plugin-import/compare/v2.33.0...HEAD',
    definition: '[2.33.0]: https://github.com/import-js/eslint-plugin-import/compare/v2.32.0...v2.33.0',
  },
  {
    file: 'eslint-plugin-react.CHANGELOG.md',
    version: '7.38.0',
    heading: '## [7.38.0] - 2026.11.27',
    unreleased: undefined,
    definition: '[7.38.0]: https://github.com/jsx-eslint/eslint-plugin-react/compare/v7.37.5...v7.38.0',
  },
] as const;

describe.each(STYLES)('$file', ({ file, version, heading, unreleased, definition }) => {
  const original = fixture(file);
  const unreleasedNotes = notes(original, 'Unreleased');
  const frozen = freeze(original, version);
  const done = finalize(frozen, version, { date: '2026-11-27' });

  it('freeze changes only the Unreleased region: everything from the previous release on is untouched', () => {
    const doc = parseChangelog(original);
    const u = doc.sections.find((s) => s.kind === 'unreleased')!;
    expect(frozen.startsWith(original.slice(0, u.heading.end))).toBe(true);
    expect(frozen.endsWith(original.slice(u.end))).toBe(true);
    expect(notes(frozen, version)).toBe(unreleasedNotes);
    expect(freeze(frozen, version)).toBe(frozen);
  });

  it('finalize writes the house-style heading and the link definitions, and nothing else', () => {
    const { removed, added } = diffLines(frozen, done);
    const expectedAdded = [heading, ...(unreleased ? [unreleased] : []), definition];
    expect(added.filter((l) => !removed.includes(l)).sort()).toEqual([...expectedAdded].sort());
    expect(removed.filter((l) => !added.includes(l))).toEqual(
      expect.arrayContaining([`## [${version}] - TBD`]),
    );
    // Line count grows by exactly the one new definition.
    expect(done.split('\n').length).toBe(frozen.split('\n').length + 1);
    expect(finalize(done, version, { date: '2026-11-27' })).toBe(done);
    expect(finalize(done, version)).toBe(done);
  });

  it('notes of the new release are the frozen entries', () => {
    // An interleaved file keeps the version's own definition in its section (it renders as nothing).
    const withoutOwn = (t: string) => t.replace(`${definition}\n`, '');
    expect(withoutOwn(notes(done, version))).toBe(unreleasedNotes);
    expect(withoutOwn(notes(done, version, { resolveReferences: false }))).toBe(
      notes(original, 'Unreleased', { resolveReferences: false }),
    );
  });

  it('unfreeze puts the entries back into Unreleased', () => {
    const back = unfreeze(frozen, version);
    expect(parseChangelog(back).sections.some((s) => s.version === version)).toBe(false);
    expect(
      back.endsWith(
        original.slice(parseChangelog(original).sections.find((s) => s.kind === 'unreleased')!.end),
      ),
    ).toBe(true);
  });

  it('validates without errors before and after', () => {
    expect(validate(original, { today: '2026-11-27' }).errors).toBe(0);
    expect(validate(done, { version, today: '2026-11-27' }).errors).toBe(0);
  });
});

describe('rich.CHANGELOG.md (no Unreleased, compare links at the bottom)', () => {
  const text = fixture('rich.CHANGELOG.md');

  it('gives release notes with the bottom definitions they use', () => {
    const body = notes(text, '14.3.0');
    expect(body.startsWith('### ')).toBe(true);
    expect(body).not.toContain('## [14.2.0]');
  });

  it('flags the typo date and the `## Changed` headings that should be `###`', () => {
    const r = validate(text, { today: '2026-11-27' });
    const at = (code: string) => r.issues.filter((i) => i.code === code).map((i) => i.line);
    expect(at('missing-unreleased')).toEqual([1]);
    expect(r.issues.find((i) => i.code === 'date-order')?.message).toMatch(
      /10\.16\.1 is dated 2021-12-15, after 10\.16\.2 \(2021-01-02/,
    );
    expect(at('unrecognized-heading').length).toBeGreaterThan(0);
    expect(r.errors).toBe(0);
  });

  it('refuses to freeze without an Unreleased section', () => {
    expect(() => freeze(text, '15.0.0')).toThrow(/^line 1, column 1: no "## Unreleased" section/);
  });
});
