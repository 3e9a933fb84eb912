import { expect } from 'vitest';
import { ReleaseError } from '../../errors.js';

/*
 * One small CHANGELOG in the three states of a release (Unreleased entries, frozen as TBD,
 * finalized), shared by the tests of freeze, finalize, notes and validate.
 */

export const HEADER = `# Changelog

All notable changes to this project will be documented in this file.

`;

export const ORIGIN = `${HEADER}## Unreleased

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

export const FROZEN = `${HEADER}## Unreleased

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

export const FINALIZED = FROZEN.replace(
  '## [1.2.0] - TBD',
  '## [1.2.0](https://github.com/o/r/releases/tag/1.2.0) - 2026-03-04',
);

/** Catches the error a call throws, for assertions on code and message. */
export function thrown(fn: () => unknown): ReleaseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ReleaseError);
    return e as ReleaseError;
  }
  throw new Error('expected an error');
}

export const crlf = (s: string) => s.replace(/\n/g, '\r\n');
