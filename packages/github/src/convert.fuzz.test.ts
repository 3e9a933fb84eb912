// Fuzzing the GitHub JSON mapping: whatever GitHub (or a proxy, or an Enterprise version)
// answers, the pull request and release mappers return relkit's data or throw GitHubError —
// never a TypeError. RELKIT_FUZZ_RUNS raises the run count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { toPullInfo, toRelease } from './forge/convert.js';
import { toReleaseObservation } from './release-port.js';

const RUNS = Number(process.env.RELKIT_FUZZ_RUNS ?? 300);

function onlyTypedErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(GitHubError);
    expect((e as GitHubError).code).toBe('UNEXPECTED_RESPONSE');
  }
}

const json = () => fc.jsonValue({ maxDepth: 2 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, json());
const branch = maybe(
  fc.record(
    {
      ref: maybe(fc.string()),
      sha: maybe(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 40, maxLength: 40 })),
    },
    { requiredKeys: [] },
  ),
);
const pullish = fc.record(
  {
    number: maybe(fc.nat()),
    html_url: maybe(fc.webUrl()),
    title: maybe(fc.string()),
    state: maybe(fc.constantFrom('open', 'closed')),
    draft: maybe(fc.boolean()),
    merged_at: maybe(fc.option(fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())))),
    head: branch,
    base: branch,
    merge_commit_sha: maybe(fc.option(fc.string())),
  },
  { requiredKeys: [] },
);
const releaseish = fc.record(
  {
    id: maybe(fc.nat()),
    tag_name: maybe(fc.string()),
    name: maybe(fc.option(fc.string())),
    body: maybe(fc.option(fc.string())),
    draft: maybe(fc.boolean()),
    prerelease: maybe(fc.boolean()),
    immutable: maybe(fc.boolean()),
    target_commitish: maybe(fc.string()),
    html_url: maybe(fc.webUrl()),
    created_at: maybe(fc.string()),
    published_at: maybe(fc.option(fc.string())),
  },
  { requiredKeys: [] },
);

type PullJson = Parameters<typeof toPullInfo>[0];
type ReleaseJson = Parameters<typeof toRelease>[0];

describe('GitHub JSON mapping fuzzing: nothing but GitHubError escapes', () => {
  it('pull requests: arbitrary JSON and PR-shaped JSON with wrong fields', () => {
    fc.assert(
      fc.property(fc.oneof(json(), pullish), (p) => onlyTypedErrors(() => toPullInfo(p as PullJson))),
      { numRuns: RUNS },
    );
  });

  it('releases, and their observation: arbitrary JSON and release-shaped JSON with wrong fields', () => {
    fc.assert(
      fc.property(fc.oneof(json(), releaseish), (r) =>
        onlyTypedErrors(() => toReleaseObservation(toRelease(r as ReleaseJson))),
      ),
      { numRuns: RUNS },
    );
  });

  it('maps well-formed answers exactly', () => {
    const pr = toPullInfo({
      number: 7,
      html_url: 'https://github.com/acme/app/pull/7',
      title: 'Release 1.2.3',
      state: 'open',
      merged_at: null,
      head: { ref: 'release/1.2.3', sha: 'a'.repeat(40) },
      base: { ref: 'main', sha: 'b'.repeat(40) },
    });
    expect(pr).toEqual({
      number: 7,
      url: 'https://github.com/acme/app/pull/7',
      title: 'Release 1.2.3',
      state: 'open',
      draft: false,
      head: { ref: 'release/1.2.3', sha: 'a'.repeat(40) },
      base: { ref: 'main', sha: 'b'.repeat(40) },
      mergeCommitSha: null,
    });
  });
});
