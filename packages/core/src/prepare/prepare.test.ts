// Gitflow prepare: gates and plan as pure functions of the observations, then the executor over
// an in-memory repository (freeze on dev by an API commit, release/X.Y.Z, the draft PR; resume).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { parseVersion } from '../version.js';
import { gitflowWorld, UNRELEASED } from './__tests__/gitflow-world.js';
import { executePrepare, releasePullRequestBody, PULL_REQUEST_BODY_LIMIT } from './execute.js';
import { observePrepare } from './observe.js';
import { planPrepare } from './plan.js';
import { createPrepareService } from '../prepare-service.js';

const config = parseConfig({ repository: 'acme/app', integrationBranch: 'dev' });
const noSleep = async () => {};

async function plan(w: ReturnType<typeof gitflowWorld>, version = '1.3.0', c = config) {
  return planPrepare(c, await observePrepare(c, { forge: w.forge }, parseVersion(version)));
}

describe('prepare: gates and plan (pure)', () => {
  it('plans freeze on dev → release/1.3.0 from the freeze commit → draft PR to main', async () => {
    const w = gitflowWorld();
    const p = await plan(w);
    expect(p.verdict).toBe('pass');
    expect(p.gates.map((g) => [g.id, g.status])).toEqual([
      ['version', 'pass'],
      ['integration-branch', 'pass'],
      ['changelog', 'pass'],
      ['release-branch', 'pass'],
      ['version-tag', 'pass'],
      ['release-pr', 'pass'],
    ]);
    expect(p.steps.map((s) => [s.step.kind, s.done])).toEqual([
      ['freeze-changelog', false],
      ['create-release-branch', false],
      ['open-release-pr', false],
    ]);
    expect(p.steps[0]!.step).toMatchObject({ branch: 'dev', parentSha: w.branches.get('dev') });
    expect(p.steps[1]!.step).toMatchObject({ branch: 'release/1.3.0', sha: null });
    expect(p.steps[2]!.step).toMatchObject({
      head: 'release/1.3.0',
      base: 'main',
      title: 'chore: release 1.3.0',
    });
    expect(JSON.parse(JSON.stringify(p))).toMatchObject({ kind: 'prepare', version: '1.3.0' });
  });

  it('refuses a version not newer than the latest release, a candidate, and an existing tag', async () => {
    const w = gitflowWorld();
    const old = await plan(w, '1.2.0');
    expect(old.gates.find((g) => g.id === 'version')).toMatchObject({ status: 'pass' });
    expect(old.gates.find((g) => g.id === 'version-tag')).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining('1.2.0 already exists'),
    });
    w.tags.set('1.4.0', w.branches.get('main')!);
    const lower = await plan(w, '1.3.0');
    expect(lower.verdict).toBe('fail');
    expect(lower.gates.find((g) => g.id === 'version')?.reason).toMatch(/not newer than 1\.4\.0/);
    const rc = planPrepare(
      config,
      await observePrepare(config, { forge: w.forge }, parseVersion('1.5.0-rc1')),
    );
    expect(rc.gates.find((g) => g.id === 'version')).toMatchObject({ status: 'fail' });
    await expect(createPrepareService(config, { forge: w.forge }).plan('1.5.0-rc1')).rejects.toMatchObject({
      code: 'INVALID_VERSION',
    });
  });

  it('says could not look (not "not met") when GitHub did not answer', async () => {
    const w = gitflowWorld();
    w.forge.listTags = async () => {
      throw Object.assign(new Error('rate limited'), { code: 'RATE_LIMITED', transient: true });
    };
    const p = await plan(w);
    expect(p.verdict).toBe('pending');
    expect(p.gates.find((g) => g.id === 'version')).toMatchObject({
      status: 'pending',
      couldNotLook: true,
      reason: 'could not look (RATE_LIMITED): rate limited',
    });
  });

  it('refuses an empty Unreleased section and a missing integration branch', async () => {
    const empty = gitflowWorld(
      UNRELEASED.replace(/- \*\*Gitflow[^\n]*\n/, '').replace(/- The sync[^\n]*\n/, ''),
    );
    const p = await plan(empty);
    expect(p.verdict).toBe('fail');
    expect(p.gates.find((g) => g.id === 'changelog')?.reason).toMatch(/Unreleased has no entries/);
    const w = gitflowWorld();
    const p2 = await plan(w, '1.3.0', parseConfig({ repository: 'acme/app', integrationBranch: 'develop' }));
    expect(p2.gates.find((g) => g.id === 'integration-branch')).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining('develop does not exist'),
    });
    expect(p2.steps).toEqual([]);
  });

  it('refuses a release branch that prepare did not cut, and a merged or closed release PR', async () => {
    const w = gitflowWorld();
    w.branches.set('release/1.3.0', w.branches.get('dev')!);
    expect((await plan(w)).gates.find((g) => g.id === 'release-branch')?.reason).toMatch(
      /was not cut by prepare/,
    );
    const w2 = gitflowWorld();
    await executePrepare(config, await plan(w2), { forge: w2.forge, sleep: noSleep });
    Object.assign(w2.pulls[0]!, { state: 'closed' });
    const closed = await plan(w2);
    expect(closed.gates.find((g) => g.id === 'release-pr')).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining('was closed'),
    });
  });

  it('caps the PR body at GitHub limit, with the origin wording', () => {
    expect(releasePullRequestBody('1.3.0', 'main', '### Added\n\n- x')).toBe(
      '# Release 1.3.0\n\nThis PR prepares release 1.3.0 for merge to main.\n\n### Added\n\n- x',
    );
    const long = releasePullRequestBody('1.3.0', 'main', `${'- entry\n'.repeat(20_000)}`);
    expect(long.length).toBeLessThanOrEqual(PULL_REQUEST_BODY_LIMIT);
    expect(long).toMatch(/were cut to fit/);
  });
});

describe('prepare: execution', () => {
  it('freezes on dev by an API commit, cuts release/1.3.0 there, opens the draft PR; a re-run is a no-op', async () => {
    const w = gitflowWorld();
    const devBefore = w.branches.get('dev')!;
    const r = await executePrepare(config, await plan(w), { forge: w.forge, sleep: noSleep });
    expect(r.status).toBe('succeeded');
    const dev = w.branches.get('dev')!;
    expect(dev).not.toBe(devBefore);
    expect(w.commits.get(dev)!.parents).toEqual([devBefore]);
    expect(w.file('dev')).toContain('## [1.3.0] - TBD');
    expect(w.file('dev')).toMatch(/## Unreleased\n\n### Added\n\n### Changed/);
    expect(w.branches.get('release/1.3.0')).toBe(dev);
    expect(w.branches.get('main')).not.toBe(dev);
    expect(w.pulls).toHaveLength(1);
    expect(w.pulls[0]).toMatchObject({
      head: 'release/1.3.0',
      base: 'main',
      draft: true,
      title: 'chore: release 1.3.0',
    });
    expect(w.pulls[0]!.body).toContain('# Release 1.3.0');
    expect(w.pulls[0]!.body).toContain('**Gitflow prepare**');
    expect(w.pulls[0]!.body).not.toContain('## [1.3.0]');
    expect(r).toMatchObject({ sha: dev, pullRequest: { number: 101 } });
    expect(r.journal.map((j) => j.status)).toEqual(['done', 'done', 'done']);

    w.calls.length = 0;
    const again = await plan(w);
    expect(again.verdict).toBe('pass');
    expect(again.steps.every((s) => s.done)).toBe(true);
    const r2 = await executePrepare(config, again, { forge: w.forge, sleep: noSleep });
    expect(r2.journal.map((j) => j.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(w.calls).toEqual([]);
    expect(w.branches.get('dev')).toBe(dev);
  });

  it('resumes after a crash between the freeze and the branch, and between the branch and the PR', async () => {
    const w = gitflowWorld();
    w.faults.add('createBranch');
    const r = await executePrepare(config, await plan(w), { forge: w.forge, sleep: noSleep });
    expect(r.status).toBe('failed');
    expect(r.journal.map((j) => j.status)).toEqual(['done', 'failed']);
    const frozenAt = w.branches.get('dev')!;
    w.faults.add('openPullRequest');
    const p = await plan(w);
    expect(p.steps.map((s) => s.done)).toEqual([true, false, false]);
    expect(p.steps[1]!.step).toMatchObject({ sha: frozenAt });
    const r2 = await executePrepare(config, p, { forge: w.forge, sleep: noSleep });
    expect(r2.journal.map((j) => j.status)).toEqual(['skipped', 'done', 'failed']);
    expect(w.branches.get('release/1.3.0')).toBe(frozenAt);
    const r3 = await executePrepare(config, await plan(w), { forge: w.forge, sleep: noSleep });
    expect(r3.journal.map((j) => j.status)).toEqual(['skipped', 'skipped', 'done']);
    expect(w.pulls).toHaveLength(1);
    expect(w.calls.filter((c) => c.startsWith('commitFiles'))).toHaveLength(1);
  });

  it('never overwrites a push to dev made after the plan: the guarded commit refuses', async () => {
    const w = gitflowWorld();
    const p = await plan(w);
    const pushed = w.commit('dev', 'other.txt', 'pushed meanwhile');
    // The step reads the head again before committing: the push is kept, the freeze goes on top.
    const r = await executePrepare(config, p, { forge: w.forge, sleep: noSleep });
    expect(r.status).toBe('succeeded');
    expect(w.commits.get(w.branches.get('dev')!)!.parents).toEqual([pushed]);
    expect(w.file('dev', 'other.txt')).toBe('pushed meanwhile');
  });
});

describe('prepare, trunk-based (integrationBranch = baseBranch)', () => {
  const trunk = parseConfig({ repository: 'acme/app' });

  it('cuts release/1.3.0 at main, freezes on it (main keeps its Unreleased), opens the draft PR', async () => {
    const w = gitflowWorld();
    const main = w.branches.get('main')!;
    const p = await plan(w, '1.3.0', trunk);
    expect(p.verdict).toBe('pass');
    expect(p.steps.map((s) => s.step.kind)).toEqual([
      'create-release-branch',
      'freeze-changelog',
      'open-release-pr',
    ]);
    expect(p.steps[1]!.step).toMatchObject({ branch: 'release/1.3.0' });
    const r = await executePrepare(trunk, p, { forge: w.forge, sleep: noSleep });
    expect(r.status).toBe('succeeded');
    expect(w.branches.get('main')).toBe(main);
    expect(w.file('main')).not.toContain('## [1.3.0]');
    const release = w.branches.get('release/1.3.0')!;
    expect(w.commits.get(release)!.parents).toEqual([main]);
    expect(w.file('release/1.3.0')).toContain('## [1.3.0] - TBD');
    expect(r.sha).toBe(release);
    expect(w.pulls[0]).toMatchObject({ head: 'release/1.3.0', base: 'main', draft: true });
    const again = await plan(w, '1.3.0', trunk);
    expect(again.verdict).toBe('pass');
    expect(again.steps.every((s) => s.done)).toBe(true);
  });

  it('resumes after a crash between cutting the branch and freezing on it', async () => {
    const w = gitflowWorld();
    w.faults.add('commitFiles');
    const r = await executePrepare(trunk, await plan(w, '1.3.0', trunk), { forge: w.forge, sleep: noSleep });
    expect(r.journal.map((j) => j.status)).toEqual(['done', 'failed']);
    const p = await plan(w, '1.3.0', trunk);
    expect(p.verdict).toBe('pass');
    expect(p.steps.map((s) => s.done)).toEqual([true, false, false]);
    const r2 = await executePrepare(trunk, p, { forge: w.forge, sleep: noSleep });
    expect(r2.journal.map((j) => j.status)).toEqual(['skipped', 'done', 'done']);
    expect(w.file('release/1.3.0')).toContain('## [1.3.0] - TBD');
  });
});
