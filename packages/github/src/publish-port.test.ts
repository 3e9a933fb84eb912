// publish end-to-end through the real GitHub adapter against the GitHub simulator (every request
// and response validated against GitHub's OpenAPI description) and core's real CHANGELOG engine.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPublishService,
  parseConfig,
  type PublishForgePort,
  type PublishService,
  viewLock,
} from '@relkit/release-core';
import { startGitHubSimulator, type GitHubSimulator } from '@relkit/testkit';
import { GitHubForge } from './forge.js';
import { publishForgePort } from './publish-port.js';

const R = 'acme/app';
const SMOKE = 'acme/app-smoke';
const config = parseConfig({
  repository: R,
  smoke: { repository: SMOKE, success: 'published' },
});
const run = {
  id: '4242',
  url: 'https://github.com/acme/app/actions/runs/4242',
  workflow: 'release-publish.yml',
};

const changelog = (heading: string) => `# Changelog

## Unreleased

### Added

${heading}

### Added

- **Publish phase** ([#9](https://github.com/acme/app/issues/9))

## [1.2.2](https://github.com/acme/app/releases/tag/1.2.2) - 2026-10-01

### Fixed

- Older fix
`;

interface World {
  sim: GitHubSimulator;
  gh: GitHubForge;
  forge: PublishForgePort;
  svc: PublishService;
  freezeSha: string;
  pr: number;
}

let w: World;

beforeEach(async () => {
  const sim = await startGitHubSimulator();
  const main = sim.createRepo(R, { defaultBranch: 'main', files: { 'CHANGELOG.md': changelog('') } });
  sim.setRef(R, 'refs/tags/1.2.2', main);
  sim.createRepo(SMOKE, { defaultBranch: 'main', files: { 'README.md': '# smoke\n' } });
  const freezeSha = sim.commit(
    R,
    'release/1.2.3',
    { 'CHANGELOG.md': changelog('## [1.2.3] - TBD') },
    'chore: freeze changelog for release 1.2.3',
  );
  sim.setRef(R, 'refs/tags/1.2.3-rc1', freezeSha);
  const pr = sim.openPull(R, { head: 'release/1.2.3', base: 'main', title: 'chore: release 1.2.3' });
  sim.addCheckRun(R, freezeSha, { name: 'ci', status: 'completed', conclusion: 'success' });
  sim.setMergeState(R, pr, 'clean');
  const gh = new GitHubForge({
    token: sim.pushToken,
    baseUrl: sim.url,
    pollIntervalMs: 5,
    retryBaseMs: 5,
    writeSpacingMs: 0,
  });
  const forge = publishForgePort(gh, config);
  w = {
    sim,
    gh,
    forge,
    svc: createPublishService(config, { forge, sleep: async () => undefined }),
    freezeSha,
    pr,
  };
});

afterEach(async () => {
  try {
    w.sim.assertNoViolations();
  } finally {
    await w.sim.stop();
  }
});

describe('publish against the GitHub simulator', { timeout: 30_000 }, () => {
  it('finalizes through the contents API, tags the finalize commit, drafts the release, dispatches the smoke test', async () => {
    const { plan, result } = await w.svc.publish('1.2.3', {
      run,
      date: '2026-11-27',
      holder: 'ci (run 4242)',
    });
    expect(plan.verdict).toBe('pass');
    expect(result.status).toBe('succeeded');
    const head = w.sim.branchSha(R, 'release/1.2.3')!;
    expect(head).not.toBe(w.freezeSha);
    expect(w.sim.commitInfo(R, head)).toEqual({
      message: 'chore: finalize release 1.2.3\n\nSet release date to 2026-11-27.',
      parents: [w.freezeSha],
    });
    expect(w.sim.refSha(R, 'refs/tags/1.2.3')).toBe(head);
    expect(w.sim.readFile(R, head, 'CHANGELOG.md')).toContain(
      '## [1.2.3](https://github.com/acme/app/releases/tag/1.2.3) - 2026-11-27',
    );
    const rel = w.sim.releases(R).find((r) => r.tag === '1.2.3')!;
    expect(rel).toMatchObject({ draft: true, prerelease: false, name: '1.2.3' });
    expect(rel.body?.startsWith('### Added')).toBe(true);
    expect(w.sim.dispatches(SMOKE).map((d) => d.clientPayload)).toEqual([
      {
        tag: '1.2.3',
        release_kind: 'final',
        event_type: 'smoke-test-trigger',
        source_repo: R,
        source_workflow: 'release-publish.yml',
        source_run_id: '4242',
        source_run_url: 'https://github.com/acme/app/actions/runs/4242',
        source_sha: head,
        correlation_id: 'acme/app:4242:1.2.3',
      },
    ]);
    // The lock is released again, and latest was never anyone's business here.
    expect(viewLock(await w.forge.readLock('release'), new Date())).toMatchObject({ status: 'released' });
  });

  it('fails on the #455 silent no-op commit and tags nothing', async () => {
    w.sim.silentNoOpCommits(R, true);
    const { result } = await w.svc.publish('1.2.3', { run });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/silent no-op|still contains/);
    expect(w.sim.refSha(R, 'refs/tags/1.2.3')).toBeUndefined();
    expect(w.sim.releases(R).some((r) => r.tag === '1.2.3')).toBe(false);
    expect(w.sim.dispatches(SMOKE)).toEqual([]);
  });

  it('resumes after a crash between finalize and tag: the tag lands on the one finalize commit', async () => {
    const crashing = createPublishService(config, {
      forge: {
        ...w.forge,
        createTag: () => Promise.reject(Object.assign(new Error('runner lost'), { code: 'NETWORK' })),
      },
      sleep: async () => undefined,
    });
    const first = await crashing.publish('1.2.3', { run });
    expect(first.result.journal.map((j) => j.status)).toEqual(['done', 'failed']);
    const finalizeSha = w.sim.branchSha(R, 'release/1.2.3')!;
    // The finalize commit re-triggers CI on the PR; green again before the re-run.
    w.sim.addCheckRun(R, finalizeSha, { name: 'ci', status: 'completed', conclusion: 'success' });

    const second = await w.svc.publish('1.2.3', { run });
    expect(second.result.status).toBe('succeeded');
    expect(second.result.journal.map((j) => j.status)).toEqual(['skipped', 'done', 'done', 'done']);
    expect(w.sim.refSha(R, 'refs/tags/1.2.3')).toBe(finalizeSha);
    expect(w.sim.branchSha(R, 'release/1.2.3')).toBe(finalizeSha);
    expect(w.sim.commitInfo(R, finalizeSha)?.parents).toEqual([w.freezeSha]);
  });

  it('a candidate: the next -rcN from the real tag list, at the release branch head', async () => {
    const head = w.sim.commit(R, 'release/1.2.3', { 'fix.txt': 'fixed\n' }, 'fix: a bug found in rc1');
    w.sim.addCheckRun(R, head, { name: 'ci', status: 'completed', conclusion: 'success' });
    const { plan, result } = await w.svc.publish('1.2.3', { run, candidate: true });
    expect(plan.tag).toBe('1.2.3-rc2');
    expect(result.status).toBe('succeeded');
    expect(w.sim.refSha(R, 'refs/tags/1.2.3-rc2')).toBe(head);
    expect(w.sim.dispatches(SMOKE).map((d) => d.clientPayload.tag)).toEqual(['1.2.3-rc2']);
    expect(w.sim.releases(R).some((r) => r.tag.startsWith('1.2.3'))).toBe(false);
  });

  const refusals: [string, (x: World) => unknown, string][] = [
    ['the PR is a draft', (x) => x.sim.setPullDraft(R, x.pr, true), 'pr-not-draft:fail'],
    [
      'the latest CI run failed',
      (x) => x.sim.addCheckRun(R, x.freezeSha, { name: 'ci', status: 'completed', conclusion: 'failure' }),
      'pr-checks:fail',
    ],
    [
      'no RC was published',
      (x) => x.gh.octokit.rest.git.deleteRef({ owner: 'acme', repo: 'app', ref: 'tags/1.2.3-rc1' }),
      'candidate-tag:fail',
    ],
    [
      'a published release exists',
      (x) => x.sim.seedRelease(R, { tag: '1.2.3' }),
      'release-not-published:fail',
    ],
    [
      'the CHANGELOG is not frozen',
      (x) => x.sim.commit(R, 'release/1.2.3', { 'CHANGELOG.md': changelog('') }, 'unfreeze'),
      'changelog:fail',
    ],
  ];
  it.each(refusals)('refuses when %s, and writes nothing', async (_n, mutate, failing) => {
    await mutate(w);
    const head = w.sim.branchSha(R, 'release/1.2.3');
    const tag = w.sim.refSha(R, 'refs/tags/1.2.3');
    const plan = await w.svc.plan('1.2.3', { run });
    expect(plan.gates.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status}`)).toContain(
      failing,
    );
    await expect(w.svc.publish('1.2.3', { run })).rejects.toMatchObject({ code: 'GATE_NOT_MET' });
    expect(w.sim.branchSha(R, 'release/1.2.3')).toBe(head);
    expect(w.sim.refSha(R, 'refs/tags/1.2.3')).toBe(tag);
    expect(w.sim.dispatches(SMOKE)).toEqual([]);
  });
});
