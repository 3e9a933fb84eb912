import { describe, expect, it } from 'vitest';
import { FINALIZED, FROZEN } from './__tests__/samples.js';
import { validate } from './validate.js';

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
