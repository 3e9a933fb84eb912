// Gitflow against the GitHub simulator (every request validated against GitHub's OpenAPI
// description): prepare freezes the CHANGELOG on dev by a signed API commit under a ruleset that
// refuses anything else, cuts release/X.Y.Z, opens the draft PR; after the merge, promote's sync
// fast-forwards dev, or opens a sync PR when dev moved on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrepareService, parseConfig } from '@relkit/release-core';
import { syncIntegrationBranch } from '@relkit/release-core/prepare';
import { startGitHubSimulator, type GitHubSimulator } from '@relkit/testkit';
import { branchPort, prepareForgePort } from './branch-port.js';
import { GitHubForge } from './forge.js';

const R = 'acme/app';
const repo = { owner: 'acme', repo: 'app' };
const RELEASED = `# Changelog

## Unreleased

### Added

## [1.2.0](https://github.com/acme/app/releases/tag/1.2.0) - 2026-10-01

### Added

- Something older
`;
const WITH_ENTRIES = RELEASED.replace(
  '### Added\n\n## [1.2.0]',
  '### Added\n\n- **Gitflow prepare** (#19)\n\n## [1.2.0]',
);
const config = parseConfig({ repository: R, integrationBranch: 'dev' });
const FAST = { pollIntervalMs: 5, retryBaseMs: 5, writeSpacingMs: 0 } as const;

let sim: GitHubSimulator;
let gh: GitHubForge;
let commit: GitHubForge;

beforeEach(async () => {
  sim = await startGitHubSimulator();
  const main = sim.createRepo(R, { defaultBranch: 'main', files: { 'CHANGELOG.md': RELEASED } });
  sim.setRef(R, 'refs/tags/1.2.0', main);
  sim.setRef(R, 'refs/heads/dev', main);
  sim.commit(R, 'dev', { 'CHANGELOG.md': WITH_ENTRIES, 'feature.txt': 'x\n' }, 'feat: gitflow prepare');
  // The origin's ruleset: every branch takes signed commits only, i.e. API commits an App makes.
  for (const b of ['main', 'dev']) sim.requireSignedCommits(R, b);
  gh = new GitHubForge({ token: sim.pushToken, baseUrl: sim.url, ...FAST });
  commit = new GitHubForge({ token: sim.appToken, baseUrl: sim.url, ...FAST });
});

afterEach(async () => {
  try {
    sim.assertNoViolations();
  } finally {
    await sim.stop();
  }
});

const service = (committer = commit) =>
  createPrepareService(config, {
    forge: prepareForgePort(gh, config, { commit: committer }),
    sleep: async () => undefined,
  });

describe('prepare against the simulator', { timeout: 30_000 }, () => {
  it('refuses a CHANGELOG that is not UTF-8 and commits nothing (read loosely, a Latin-1 byte would become U+FFFD)', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(WITH_ENTRIES.replace('# Changelog', '# Changelog caf')),
      Buffer.from([0xe9]),
    ]);
    // The simulator stores bytes; its typed API takes text.
    sim.commit(R, 'dev', { 'CHANGELOG.md': latin1 as unknown as string }, 'docs: a Latin-1 byte');
    const devBefore = sim.branchSha(R, 'dev')!;
    await expect(gh.readFile(repo, 'CHANGELOG.md', 'dev')).rejects.toThrow(
      /CHANGELOG\.md at dev is not valid UTF-8 text/,
    );
    const svc = service();
    const plan = await svc.plan('1.3.0');
    // The changelog gate cannot pass, so no step runs.
    expect(plan.verdict).toBe('pending');
    expect(JSON.stringify(plan.gates)).toMatch(/CHANGELOG\.md at [0-9a-f]{40} is not valid UTF-8 text/);
    expect(sim.branchSha(R, 'dev')).toBe(devBefore);
    expect(sim.branchSha(R, 'release/1.3.0')).toBeUndefined();
  });

  it('freezes on dev by a signed API commit, cuts release/1.3.0 there, opens the draft PR; a re-run is a no-op', async () => {
    const devBefore = sim.branchSha(R, 'dev')!;
    const svc = service();
    const plan = await svc.plan('1.3.0');
    expect(plan.verdict).toBe('pass');
    const r = await svc.execute(plan);
    expect(r.status).toBe('succeeded');
    const dev = sim.branchSha(R, 'dev')!;
    expect(sim.commitInfo(R, dev)).toEqual({
      message: 'chore: freeze changelog for release 1.3.0',
      parents: [devBefore],
    });
    const text = (await gh.readFile(repo, 'CHANGELOG.md', 'dev'))!.content;
    expect(text).toContain('## [1.3.0] - TBD\n\n### Added\n\n- **Gitflow prepare** (#19)');
    expect(sim.branchSha(R, 'release/1.3.0')).toBe(dev);
    const pr = await gh.findPullRequest(repo, { head: 'release/1.3.0', base: 'main' });
    expect(pr).toMatchObject({ state: 'open', draft: true, title: 'chore: release 1.3.0' });
    expect(r.pullRequest?.number).toBe(pr!.number);

    const again = await svc.plan('1.3.0');
    expect(again.steps.every((s) => s.done)).toBe(true);
    const r2 = await svc.execute(again);
    expect(r2.journal.map((j) => j.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(sim.branchSha(R, 'dev')).toBe(dev);
  });

  it('a commit token whose API commits are not signed is refused by the ruleset, and nothing moves', async () => {
    const devBefore = sim.branchSha(R, 'dev')!;
    const user = new GitHubForge({ token: sim.userToken, baseUrl: sim.url, ...FAST });
    const svc = service(user);
    const r = await svc.execute(await svc.plan('1.3.0'));
    expect(r.status).toBe('failed');
    expect(r.error?.message).toMatch(/signed|signature/i);
    expect(sim.branchSha(R, 'dev')).toBe(devBefore);
    expect(sim.branchSha(R, 'release/1.3.0')).toBeUndefined();
  });
});

describe('prepare, trunk-based, against the simulator', { timeout: 30_000 }, () => {
  it('cuts release/1.3.0 at main and freezes on it, so the draft PR has a commit of its own', async () => {
    const main = sim.commit(R, 'main', { 'CHANGELOG.md': WITH_ENTRIES }, 'docs: entries');
    const trunk = parseConfig({ repository: R });
    const svc = createPrepareService(trunk, {
      forge: prepareForgePort(gh, trunk, { commit }),
      sleep: async () => undefined,
    });
    const r = await svc.execute(await svc.plan('1.3.0'));
    expect(r.status).toBe('succeeded');
    expect(sim.branchSha(R, 'main')).toBe(main);
    const release = sim.branchSha(R, 'release/1.3.0')!;
    expect(sim.commitInfo(R, release)?.parents).toEqual([main]);
    expect(await gh.findPullRequest(repo, { head: 'release/1.3.0', base: 'main' })).toMatchObject({
      state: 'open',
      draft: true,
    });
  });
});

describe('the integration sync against the simulator', { timeout: 30_000 }, () => {
  const step = {
    kind: 'sync-integration-branch',
    branch: 'dev',
    base: 'main',
    version: '1.3.0',
    syncBranch: 'sync/1.3.0',
  } as const;

  async function prepareAndMerge() {
    const svc = service();
    await svc.execute(await svc.plan('1.3.0'));
    // What publish does on the release branch, in short: a finalize commit.
    sim.commit(R, 'release/1.3.0', { 'finalized.txt': '1.3.0\n' }, 'chore: finalize release 1.3.0');
    const pr = (await gh.findPullRequest(repo, { head: 'release/1.3.0', base: 'main' }))!;
    sim.setPullDraft(R, pr.number, false);
    await gh.octokit.rest.pulls.merge({ ...repo, pull_number: pr.number, merge_method: 'merge' });
  }

  it('fast-forwards dev to main by a non-forced ref update when dev has not moved', async () => {
    await prepareAndMerge();
    const main = sim.branchSha(R, 'main')!;
    const ports = branchPort(gh, config, { commit });
    expect(await ports.compareBranches('dev', 'main')).toMatchObject({ state: 'found', status: 'ahead' });
    const out = await syncIntegrationBranch(ports, step);
    expect(out.message).toMatch(/fast-forwarded dev to main/);
    expect(sim.branchSha(R, 'dev')).toBe(main);
    expect(await syncIntegrationBranch(ports, step)).toMatchObject({ alreadyDone: true });
  });

  it('opens a sync PR from sync/1.3.0 when dev moved on; a re-run finds it', async () => {
    await prepareAndMerge();
    sim.commit(R, 'dev', { 'next.txt': 'next\n' }, 'feat: the next one');
    const ports = branchPort(gh, config, { commit });
    const out = await syncIntegrationBranch(ports, step);
    expect(out.message).toMatch(/opened sync PR #\d+/);
    expect(sim.branchSha(R, 'sync/1.3.0')).toBe(sim.branchSha(R, 'main'));
    expect(await gh.findPullRequest(repo, { head: 'sync/1.3.0', base: 'dev' })).toMatchObject({
      state: 'open',
      draft: false,
    });
    expect(await syncIntegrationBranch(ports, step)).toMatchObject({ alreadyDone: true });
  });

  it('openPullRequest returns the PR already open instead of a second one', async () => {
    await prepareAndMerge();
    sim.commit(R, 'dev', { 'next.txt': 'next\n' }, 'feat: the next one');
    const a = await gh.openPullRequest(repo, {
      head: 'main',
      base: 'dev',
      title: 't',
      body: 'b',
      draft: false,
    });
    const b = await gh.openPullRequest(repo, {
      head: 'main',
      base: 'dev',
      title: 't',
      body: 'b',
      draft: false,
    });
    expect(b.number).toBe(a.number);
  });
});
