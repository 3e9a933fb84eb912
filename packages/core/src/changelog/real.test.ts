import { describe, expect, it } from 'vitest';
import { finalizeCases, fixture } from './__tests__/shared.js';
import { finalize } from './finalize.js';
import { freeze, unfreeze } from './freeze.js';
import { notes } from './notes.js';
import { validate } from './validate.js';
import { sectionState } from './publish-port.js';
import { parseChangelog } from './parse.js';

/** Every line index where a and b differ (same line count assumed by callers). */
function changedLines(a: string, b: string): number[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const out: number[] = [];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) out.push(i + 1);
  return out;
}

describe('finalize on the origin project’s real CHANGELOGs (cases.tsv)', () => {
  const cases = finalizeCases();

  it('has cases to check', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    describe(`${c.name} (${c.repository}, ${c.date})`, () => {
      const options = { repository: c.repository, date: c.date, tagPrefix: c.tagPrefix };

      it('reproduces the after-file byte for byte', () => {
        expect(finalize(c.before, c.version, options)).toBe(c.after);
      });

      it('is a no-op on its own output, with the same arguments or none', () => {
        expect(finalize(c.after, c.version, options)).toBe(c.after);
        expect(finalize(c.after, c.version)).toBe(c.after);
      });

      it('refuses another date on the finalized section, naming line and column', () => {
        const line = parseChangelog(c.after).sections.find((s) => s.version === c.version)!.heading.line;
        expect(() => finalize(c.after, c.version, { ...options, date: '1999-01-01' })).toThrow(
          new RegExp(`^line ${line}, column \\d+: ${c.version.replace(/\./g, '\\.')} is already finalized`),
        );
      });

      it('gives the same notes before and after, without the heading', () => {
        const body = notes(c.after, c.version);
        expect(notes(c.before, c.version)).toBe(body);
        expect(body.length).toBeGreaterThan(0);
        expect(body).not.toMatch(/^## /m);
        expect(c.after).toContain(body.split('\n')[0]);
      });

      it('reports frozen before and dated after; validate passes afterwards', () => {
        expect(sectionState(c.before, c.version)).toBe('frozen');
        expect(sectionState(c.after, c.version)).toBe('dated');
        const report = validate(c.after, { version: c.version, today: '2100-01-01' });
        expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
        const before = validate(c.before, { version: c.version, today: '2100-01-01' });
        expect(before.issues.map((i) => i.code)).toContain('not-finalized');
      });

      it('unfreezes and re-freezes the frozen file, touching only the Unreleased/frozen region', () => {
        const open = unfreeze(c.before, c.version);
        expect(sectionState(open, c.version)).toBe('missing');
        const again = freeze(open, c.version);
        // The frozen region comes back; everything below the frozen section is untouched.
        const doc = parseChangelog(c.before);
        const frozen = doc.sections.find((s) => s.version === c.version)!;
        expect(again.slice(again.length - (c.before.length - frozen.end))).toBe(c.before.slice(frozen.end));
        expect(sectionState(again, c.version)).toBe('frozen');
        expect(notes(again, c.version)).toBe(notes(c.before, c.version));
      });
    });
  }
});

describe('the origin tooling’s own output with a tag prefix (vig-os/commit-action 0.3.1)', () => {
  const unreleased = fixture('commit-action.0.3.1.unreleased.md');
  const frozen = fixture('commit-action.0.3.1.frozen.md');
  const finalized = fixture('commit-action.0.3.1.finalized.md');

  it('freeze reproduces the real freeze commit byte for byte', () => {
    expect(freeze(unreleased, '0.3.1')).toBe(frozen);
    expect(freeze(frozen, '0.3.1')).toBe(frozen);
  });

  it('finalize reproduces the real `v`-prefixed heading, the prefix given or read from the file', () => {
    const date = '2026-07-16';
    expect(finalize(frozen, '0.3.1', { repository: 'vig-os/commit-action', date, tagPrefix: 'v' })).toBe(
      finalized,
    );
    expect(finalize(frozen, '0.3.1', { date })).toBe(finalized);
    expect(finalize(frozen, 'v0.3.1', { date })).toBe(finalized);
    expect(changedLines(frozen, finalized)).toEqual([22]);
  });

  it('refuses a re-run with another tag prefix, naming the label', () => {
    expect(() => finalize(finalized, '0.3.1', { tagPrefix: '', repository: 'vig-os/commit-action' })).toThrow(
      /^line 22, column 5: 0\.3\.1 is already finalized as "v0\.3\.1"/,
    );
  });

  it('unfreeze restores the file as it was before the freeze', () => {
    expect(unfreeze(frozen, '0.3.1')).toBe(unreleased);
    expect(unfreeze(unreleased, '0.3.1')).toBe(unreleased);
  });
});
