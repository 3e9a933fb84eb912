// Gitflow end to end through the real release-cli process against the OpenAPI-validated GitHub
// simulator: dev ahead of main, a ruleset that takes only signed commits (API commits an App
// makes) on every branch, the commit token an App's. prepare 1.3.0 → publish --candidate →
// publish → promote; after the merge dev is fast-forwarded, or gets a sync PR when it moved on.
// A project without images: promote publishes the release, merges the PR and syncs dev.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubSimulator, type GitHubSimulator } from '@relkit/testkit';
import { expectExit, expectOutput, jsonOf, runRelease } from './harness.js';

const R = 'acme/app';
const CHANGELOG = `# Changelog

## Unreleased

### Added

- **Gitflow prepare**: the CHANGELOG is frozen on dev by an API commit

### Fixed

- dev gets the release back after promote

## [1.2.0](https://github.com/acme/app/releases/tag/1.2.0) - 2026-10-01

### Added

- Something older
`;

let sim: GitHubSimulator;
let dir: string;
let env: Record<string, string | undefined>;

beforeEach(async () => {
  sim = await startGitHubSimulator();
  const main = sim.createRepo(R, {
    defaultBranch: 'main',
    files: {
      'CHANGELOG.md': CHANGELOG.replace(
        /- \*\*Gitflow[^\n]*\n\n### Fixed\n\n- dev gets[^\n]*\n/,
        '\n### Fixed\n',
      ),
    },
  });
  sim.setRef(R, 'refs/tags/1.2.0', main);
  sim.seedRelease(R, { tag: '1.2.0' });
  // dev is ahead of main: the work of the next release, and its CHANGELOG entries.
  sim.setRef(R, 'refs/heads/dev', main);
  sim.commit(R, 'dev', { 'CHANGELOG.md': CHANGELOG, 'src/feature.ts': 'export {};\n' }, 'feat: gitflow');
  for (const b of ['main', 'dev', 'release/1.3.0']) sim.requireSignedCommits(R, b);
  dir = mkdtempSync(join(tmpdir(), 'relkit-gitflow-'));
  writeFileSync(
    join(dir, 'release.config.json'),
    JSON.stringify({ repository: R, integrationBranch: 'dev', merge: { method: 'merge' } }, null, 2),
  );
  env = {
    ...process.env,
    NO_COLOR: '1',
    RELKIT_GITHUB_API_URL: sim.url,
    GITHUB_TOKEN: sim.pushToken,
    // The commit role: an App installation token, whose API commits GitHub signs.
    RELKIT_COMMIT_TOKEN: sim.appToken,
  };
});

afterEach(async () => {
  try {
    sim.assertNoViolations();
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

const cli = (...args: string[]) => runRelease(args, { env, cwd: dir });

interface PrepareJson {
  plan: { verdict: string; steps: { done: boolean; step: { kind: string } }[] };
  result?: { status: string; sha?: string; pullRequest?: { number: number; url: string } };
}

/** prepare 1.3.0, then what CI and the maintainer do until promote: RC, ready, green, approved, final. */
async function releaseUpToPromote() {
  expectExit(await cli('prepare', '1.3.0', '--yes'), 0);
  expectExit(await cli('publish', '1.3.0', '--candidate', '--yes'), 0);
  const pr = sim.pull(R, 101);
  sim.setPullDraft(R, pr.number, false);
  const green = () =>
    sim.addCheckRun(R, sim.branchSha(R, 'release/1.3.0')!, {
      name: 'ci',
      status: 'completed',
      conclusion: 'success',
    });
  green();
  expectExit(await cli('publish', '1.3.0', '--yes', '--date', '2026-12-06'), 0);
  green();
  sim.review(R, pr.number, 'maintainer', 'APPROVED');
  sim.setMergeState(R, pr.number, 'clean');
  return pr.number;
}

describe('release-cli prepare (gitflow)', { timeout: 120_000 }, () => {
  it('freezes the CHANGELOG on dev by an API commit, cuts release/1.3.0 there, opens the draft PR; a re-run is a no-op', async () => {
    const devBefore = sim.branchSha(R, 'dev')!;
    const dry = expectExit(await cli('prepare', '1.3.0', '--dry-run'), 0);
    expectOutput(dry, 'stdout').toContain('prepare 1.3.0 (dev → release/1.3.0 → main)');
    expect(sim.branchSha(R, 'dev')).toBe(devBefore);

    const run = expectExit(await cli('prepare', '1.3.0', '--yes', '--json'), 0);
    const out = jsonOf<PrepareJson>(run);
    expect(out.result?.status).toBe('succeeded');
    const dev = sim.branchSha(R, 'dev')!;
    expect(out.result?.sha).toBe(dev);
    expect(sim.commitInfo(R, dev)).toEqual({
      message: 'chore: freeze changelog for release 1.3.0',
      parents: [devBefore],
    });
    expect(sim.branchSha(R, 'release/1.3.0')).toBe(dev);
    const pr = sim.pull(R, out.result!.pullRequest!.number);
    expect(pr).toMatchObject({ head: 'release/1.3.0', base: 'main', draft: true, state: 'open' });
    expect(sim.branchSha(R, 'main')).not.toBe(dev);

    const again = expectExit(await cli('prepare', '1.3.0', '--yes'), 0);
    expectOutput(again, 'stdout').toContain('nothing to do: every step is already done');
    expect(sim.branchSha(R, 'dev')).toBe(dev);
  });

  it('refuses (exit 3) a version that is not newer than the latest release, changing nothing', async () => {
    const devBefore = sim.branchSha(R, 'dev')!;
    const run = expectExit(await cli('prepare', '1.1.0', '--yes'), 3);
    expectOutput(run, 'stdout').toMatch(/not newer than 1\.2\.0/);
    expect(sim.branchSha(R, 'dev')).toBe(devBefore);
    expectExit(await cli('prepare', '1.3', '--yes'), 2);
  });

  it('after promote merges the release PR, dev is fast-forwarded to main', async () => {
    await releaseUpToPromote();
    const run = expectExit(await cli('promote', '1.3.0', '--yes'), 0);
    expectOutput(run, 'stdout').toMatch(/fast-forwarded dev to main/);
    const main = sim.branchSha(R, 'main')!;
    expect(sim.branchSha(R, 'dev')).toBe(main);
    expect(sim.pull(R, 101)).toMatchObject({ merged: true });
  });

  it('when dev moved on meanwhile, promote opens a sync PR from sync/1.3.0 into dev instead', async () => {
    await releaseUpToPromote();
    const next = sim.commit(R, 'dev', { 'src/next.ts': 'export {};\n' }, 'feat: the next one');
    const run = expectExit(await cli('promote', '1.3.0', '--yes'), 0);
    expectOutput(run, 'stdout').toMatch(/opened sync PR #\d+/);
    expect(sim.branchSha(R, 'dev')).toBe(next);
    expect(sim.branchSha(R, 'sync/1.3.0')).toBe(sim.branchSha(R, 'main'));
    const sync = sim.pull(R, 102);
    expect(sync).toMatchObject({ head: 'sync/1.3.0', base: 'dev', state: 'open' });
    // A re-run of promote finds everything done, the sync PR included.
    expectExit(await cli('promote', '1.3.0', '--yes'), 0);
    expect(() => sim.pull(R, 103)).toThrow();
  });
});
