// Fuzzing the config parser: whatever the text or object, parseConfig/parseConfigText either
// return a config or throw ReleaseError('INVALID_CONFIG') — nothing else escapes.
// RELKIT_FUZZ_RUNS raises the run count (npm test keeps it modest).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig, parseConfigText } from './config.js';
import { ReleaseError } from './errors.js';

const RUNS = Number(process.env.RELKIT_FUZZ_RUNS ?? 300);

function onlyTypedErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ReleaseError);
    expect((e as ReleaseError).code).toBe('INVALID_CONFIG');
  }
}

const VALID = {
  repository: 'acme/app',
  images: [{ name: 'ghcr.io/acme/app', platforms: ['linux/amd64'] }],
  signing: {
    issuer: 'https://token.actions.githubusercontent.com',
    identityRegexp: 'https://github\\.com/acme/app/.*',
  },
  smoke: { repository: 'acme/app-smoke' },
};

/** A valid config with one value somewhere replaced by arbitrary JSON. */
const mutated = fc
  .tuple(
    fc.constantFrom(
      ['repository'],
      ['images'],
      ['images', 0],
      ['images', 0, 'name'],
      ['images', 0, 'platforms'],
      ['signing'],
      ['signing', 'issuer'],
      ['signing', 'identityRegexp'],
      ['signing', 'identity'],
      ['signing', 'trustedSigners'],
      ['smoke'],
      ['merge'],
      ['releaseBranch'],
      ['registries'],
      ['tagPrefix'],
    ),
    fc.jsonValue(),
  )
  .map(([path, value]) => {
    const copy = structuredClone(VALID) as Record<string | number, unknown>;
    let at: Record<string | number, unknown> = copy;
    for (const key of path.slice(0, -1)) {
      if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
      at = at[key] as Record<string | number, unknown>;
    }
    at[path[path.length - 1] as string | number] = value;
    return copy;
  });

/** Identity regexps built from regexp syntax pieces: the structural check must not throw. */
const regexpish = fc
  .array(
    fc.constantFrom(
      'https://',
      'github',
      '\\.',
      '.',
      'com',
      '/',
      'acme',
      'app',
      '*',
      '+',
      '?',
      '|',
      '(',
      ')',
      '[',
      ']',
      '{1}',
      '\\',
      '^',
      '$',
      '-',
      'x',
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('config parser fuzzing: nothing but ReleaseError escapes', () => {
  it('arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) =>
        onlyTypedErrors(() => parseConfigText(text)),
      ),
      { numRuns: RUNS },
    );
  });

  it('arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => onlyTypedErrors(() => parseConfig(json))),
      { numRuns: RUNS },
    );
  });

  it('a valid config with one value replaced', () => {
    fc.assert(
      fc.property(mutated, (config) => onlyTypedErrors(() => parseConfig(config))),
      { numRuns: RUNS },
    );
  });

  it('identity regexps made of regexp syntax', () => {
    fc.assert(
      fc.property(regexpish, (identityRegexp) =>
        onlyTypedErrors(() => parseConfig({ ...VALID, signing: { ...VALID.signing, identityRegexp } })),
      ),
      { numRuns: RUNS },
    );
  });

  it('every accepted identity regexp rejects a fork and a look-alike repository', () => {
    fc.assert(
      fc.property(regexpish, (identityRegexp) => {
        let accepted = false;
        try {
          parseConfig({ ...VALID, signing: { ...VALID.signing, identityRegexp } });
          accepted = true;
        } catch {
          // refused: fine
        }
        if (!accepted) return;
        const re = new RegExp(`^(?:${identityRegexp})$`, 'u');
        for (const id of [
          'https://github.com/evil/app/x',
          'https://github.com/acme/app-evil/x',
          'https://evil.com/acme/app/x',
          'https://githubxcom/acme/app/x',
        ])
          expect(re.test(id), `${identityRegexp} accepts ${id}`).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});
