import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReleaseError } from '../errors.js';
import { finalize } from './finalize.js';
import { freeze, unfreeze } from './freeze.js';
import { notes, truncateNotes } from './notes.js';
import { validate } from './validate.js';
import { parseChangelog } from './parse.js';

/*
 * Property tests: (1) nothing but ReleaseError ever escapes, on any input; (2) the operations
 * touch only the lines they must, whatever surrounds the target; (3) every operation is
 * idempotent.
 */

const RUNS = { numRuns: 500 };

/** Calls fn; passes when it returns or throws a ReleaseError. Returns the value or undefined. */
function onlyReleaseErrors<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ReleaseError)) throw e;
    expect(e.code).toMatch(/^(CHANGELOG_PARSE|CHANGELOG_STATE|INVALID_VERSION|INVALID_ARGUMENT)$/);
    return undefined;
  }
}

/** Lines that stress the scanner: headings of every kind, fences, comments, definitions. */
const trickyLine = fc.constantFrom(
  '',
  '   ',
  '# Changelog',
  '## Unreleased',
  '## [Unreleased]',
  '## [1.2.0] - TBD',
  '## [1.2.0](https://github.com/o/r/releases/tag/1.2.0) - 2026-01-01',
  '## [1.1.0] - 2025-12-31',
  '## v1.0.0 (2020-01-01)',
  '## 0.9.0 (Unreleased)',
  '## [2.0.0] - ????-??-??',
  '## Notes ##',
  '##',
  '### Added',
  '### Fixed  ',
  '#### Deep',
  '- entry',
  '  - nested entry  ',
  '* star entry',
  '```',
  '```md',
  '~~~',
  '    ## indented code',
  '<!--',
  '-->',
  '<!-- one line -->',
  '[Unreleased]: https://github.com/o/r/compare/v1.1.0...HEAD',
  '[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0',
  '[#12]: https://github.com/o/r/pull/12',
  'Some paragraph text [#12] and [link](https://x).',
  '[not a def',
  '\uFEFF# BOM heading',
);

const eol = fc.constantFrom('\n', '\r\n', '\r');
const markdownish = fc
  .array(fc.tuple(trickyLine, eol), { maxLength: 40 })
  .map((lines) => lines.map(([l, e]) => l + e).join(''));

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ maxLength: 400 }),
  markdownish,
);
const version = fc.constantFrom('1.2.0', '1.1.0', '2.0.0', '0.9.0', 'v1.2.0', '1.2', 'x');

describe('on arbitrary input', () => {
  it('the parser and every operation throw nothing but ReleaseError', () => {
    fc.assert(
      fc.property(anyText, version, (text, v) => {
        onlyReleaseErrors(() => parseChangelog(text));
        onlyReleaseErrors(() => freeze(text, v));
        onlyReleaseErrors(() => unfreeze(text, v));
        onlyReleaseErrors(() => finalize(text, v, { repository: 'o/r', date: '2026-02-03' }));
        onlyReleaseErrors(() => finalize(text, v));
        onlyReleaseErrors(() => notes(text, v));
        onlyReleaseErrors(() => notes(text, 'Unreleased', { maxLength: 50 }));
        onlyReleaseErrors(() => validate(text, { version: v, today: '2026-02-03' }));
      }),
      { numRuns: 1000 },
    );
  });

  it('every operation is idempotent where it succeeds', () => {
    fc.assert(
      fc.property(markdownish, version, (text, v) => {
        const ops: ((t: string) => string)[] = [
          (t) => freeze(t, v),
          (t) => unfreeze(t, v),
          (t) => finalize(t, v, { repository: 'o/r', date: '2026-02-03' }),
        ];
        for (const op of ops) {
          const once = onlyReleaseErrors(() => op(text));
          if (once !== undefined) expect(op(once)).toBe(once);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('positions in errors point inside the text', () => {
    fc.assert(
      fc.property(markdownish, version, (text, v) => {
        try {
          finalize(text, v, { repository: 'o/r', date: '2026-02-03' });
        } catch (e) {
          const d = (e as ReleaseError).details as { line?: number; column?: number } | undefined;
          if (d?.line !== undefined) {
            const lines = text.split(/\r\n|\n|\r/);
            expect(d.line).toBeGreaterThanOrEqual(1);
            expect(d.line).toBeLessThanOrEqual(lines.length);
            expect(d.column).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      RUNS,
    );
  });
});

/** Surrounding lines that never form a section for 1.2.0, never leave a fence or comment open. */
const safeLine = fc.oneof(
  fc.constantFrom(
    '',
    'Text with trailing spaces   ',
    '- entry',
    '  - nested',
    '## Odd heading',
    '### Weird subsection ',
    '#### Deep',
    '<!-- a comment -->',
    '[#12]: https://github.com/o/r/pull/12',
    '## [1.0.0] - 2025-01-01',
    '## [0.9.0](https://github.com/o/r/releases/tag/0.9.0) - 2024-01-01',
  ),
  fc.constantFrom(
    '```\n## [1.2.0] - TBD inside code\n```',
    '<!--\n## [1.2.0] - TBD inside a comment\n-->',
    '~~~~\n## x\n~~~~',
  ),
  fc.string({ maxLength: 30 }).map((s) => `- ${s.replace(/[\r\n`~<#[\]]/g, '')}`),
);
const lines = (max: number) => fc.array(safeLine, { maxLength: max });

function joinWith(ls: string[], e: string): string {
  return ls.map((l) => l.replace(/\n/g, e) + e).join('');
}

/** Splits keeping line endings, so a comparison sees every byte. */
const byLine = (t: string) => t.split(/(?<=\r\n|\n|\r(?!\n))/);

describe('edits stay on their lines', () => {
  it('finalize changes only the heading line of the target, whatever surrounds it', () => {
    fc.assert(
      fc.property(lines(25), lines(10), lines(25), eol, (before, body, after, e) => {
        const head = joinWith(
          [
            '# Changelog',
            '',
            ...before.filter((l) => !l.startsWith('## [1.0.0]') && !l.startsWith('## [0.9.0]')),
          ],
          e,
        );
        const text = `${head}## [1.2.0] - TBD${e}${joinWith(
          body.filter((l) => !/^## \[/.test(l)),
          e,
        )}${joinWith(after, e)}`;
        const out = finalize(text, '1.2.0', { repository: 'o/r', date: '2026-02-03' });
        const a = byLine(text);
        const b = byLine(out);
        expect(b.length).toBe(a.length);
        const changed = a.map((l, i) => (l === b[i] ? -1 : i)).filter((i) => i >= 0);
        expect(changed).toHaveLength(1);
        expect(b[changed[0]!]).toBe(`## [1.2.0](https://github.com/o/r/releases/tag/1.2.0) - 2026-02-03${e}`);
        expect(finalize(out, '1.2.0', { repository: 'o/r', date: '2026-02-03' })).toBe(out);
      }),
      RUNS,
    );
  });

  it('freeze changes only the Unreleased section; unfreeze gives it back', () => {
    fc.assert(
      fc.property(
        lines(15),
        fc.array(fc.constantFrom('- a', '- b  ', '  - c', 'text'), { minLength: 1, maxLength: 5 }),
        lines(15),
        eol,
        (top, entries, rest, e) => {
          const head = joinWith(['# Changelog', '', ...top.filter((l) => !l.startsWith('## '))], e);
          const unrel = joinWith(['## Unreleased', '', '### Added', '', ...entries, '', '### Fixed', ''], e);
          const tail = joinWith(['## [1.0.0] - 2025-01-01', '', ...rest], e);
          const text = head + unrel + tail;
          const out = freeze(text, '1.2.0');
          expect(out.startsWith(head)).toBe(true);
          expect(out.endsWith(tail)).toBe(true);
          expect(freeze(out, '1.2.0')).toBe(out);
          expect(notes(out, '1.2.0')).toBe(joinWith(['### Added', '', ...entries], e).trimEnd());
          const back = unfreeze(out, '1.2.0');
          expect(back.startsWith(head)).toBe(true);
          expect(back.endsWith(tail)).toBe(true);
          expect(notes(back, 'Unreleased', { resolveReferences: false })).toContain(
            entries.join(e).trimEnd(),
          );
        },
      ),
      RUNS,
    );
  });

  it('in a file with compare links, finalize changes the heading and the [Unreleased] link, and adds one line', () => {
    fc.assert(
      fc.property(lines(10), lines(10), eol, (mid, bottom, e) => {
        const text =
          joinWith(['# Changelog', '', '## [Unreleased]', '', '## [1.2.0] - TBD', '', '- x', ''], e) +
          joinWith(['## [1.1.0] - 2025-06-01', '', ...mid.filter((l) => !l.startsWith('## ')), ''], e) +
          joinWith(
            [
              '[Unreleased]: https://github.com/o/r/compare/v1.1.0...HEAD',
              ...bottom.filter((l) => l.startsWith('[#')),
              '[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0',
            ],
            e,
          );
        const out = finalize(text, '1.2.0', { date: '2026-02-03' });
        const a = byLine(text);
        const b = byLine(out);
        expect(b.length).toBe(a.length + 1);
        const added = b.filter((l) => !a.includes(l));
        expect(added.sort()).toEqual(
          [
            `## [1.2.0] - 2026-02-03${e}`,
            `[Unreleased]: https://github.com/o/r/compare/v1.2.0...HEAD${e}`,
            `[1.2.0]: https://github.com/o/r/compare/v1.1.0...v1.2.0${e}`,
          ].sort(),
        );
        expect(finalize(out, '1.2.0', { date: '2026-02-03' })).toBe(out);
      }),
      RUNS,
    );
  });
});

describe('notes truncation', () => {
  it('never exceeds the limit, ends with the notice when cut, and is stable', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(trickyLine, fc.string({ maxLength: 80 })), { maxLength: 200 }),
        fc.integer({ min: 200, max: 3000 }),
        (parts, max) => {
          const body = parts.map(([a, b]) => `${a}${b}`).join('\n');
          const cut = truncateNotes(body, max);
          expect(cut.body.length).toBeLessThanOrEqual(max);
          expect(cut.truncated).toBe(body.length > max);
          if (cut.truncated) expect(cut.body).toMatch(/These release notes were cut/);
          else expect(cut.body).toBe(body);
          expect(truncateNotes(cut.body, max).body).toBe(cut.body);
        },
      ),
      RUNS,
    );
  });
});
