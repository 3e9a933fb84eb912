import { describe, expect, it } from 'vitest';
import { crlf, FINALIZED, FROZEN, ORIGIN, thrown } from './__tests__/samples.js';
import { freeze, unfreeze } from './freeze.js';
import { sectionState } from './publish-port.js';

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
