// Token roles (issue 19): github (releases, PR, merge), commit (API commits), smoke (dispatch to
// the smoke repository), each defaulting to the one before it; a 403/404 names the role and the
// permission it lacks. Through connectPublish against the GitHub simulator, whose tokens differ
// by what they reach (a GITHUB_TOKEN-like token sees only its own repository).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubSimulator, type GitHubSimulator } from '@relkit/testkit';
import { connectGitHubRoles, connectPublish } from './index.js';

const R = 'acme/app';
const SMOKE = 'acme/app-smoke';
const changelog = (heading: string) =>
  `# Changelog\n\n## Unreleased\n\n${heading}\n\n### Added\n\n- Token roles\n\n## [1.2.2] - 2026-10-01\n\n- Older\n`;
const run = { id: '9', url: 'https://github.com/acme/app/actions/runs/9', workflow: 'release.yml' };

let sim: GitHubSimulator;
let dir: string;

beforeEach(async () => {
  sim = await startGitHubSimulator();
  const main = sim.createRepo(R, { defaultBranch: 'main', files: { 'CHANGELOG.md': changelog('') } });
  sim.setRef(R, 'refs/tags/1.2.2', main);
  sim.createRepo(SMOKE, { defaultBranch: 'main', files: { 'README.md': '# smoke\n' } });
  const frozen = sim.commit(R, 'release/1.2.3', { 'CHANGELOG.md': changelog('## [1.2.3] - TBD') }, 'freeze');
  sim.setRef(R, 'refs/tags/1.2.3-rc1', frozen);
  const pr = sim.openPull(R, { head: 'release/1.2.3', base: 'main', title: 'chore: release 1.2.3' });
  sim.addCheckRun(R, frozen, { name: 'ci', status: 'completed', conclusion: 'success' });
  sim.setMergeState(R, pr, 'clean');
  sim.requireSignedCommits(R, 'release/1.2.3');
  dir = mkdtempSync(join(tmpdir(), 'relkit-roles-'));
  writeFileSync(
    join(dir, 'release.config.json'),
    JSON.stringify({ repository: R, smoke: { repository: SMOKE } }),
  );
});

afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  try {
    sim.assertNoViolations();
  } finally {
    await sim.stop();
  }
});

const publish = async (env: Record<string, string>) => {
  const svc = await connectPublish({ cwd: dir, env: { RELKIT_GITHUB_API_URL: sim.url, ...env } });
  return svc.publish('1.2.3', { run, date: '2026-11-27' });
};

describe('token roles', { timeout: 30_000 }, () => {
  it('each role defaults to the one before it', async () => {
    const only = await connectGitHubRoles({
      cwd: dir,
      env: { RELKIT_GITHUB_API_URL: sim.url, GH_TOKEN: sim.appToken },
    });
    expect(only.commit).toBe(only.github);
    expect(only.smoke).toBe(only.github);
    const commit = await connectGitHubRoles({
      cwd: dir,
      env: { RELKIT_GITHUB_API_URL: sim.url, GH_TOKEN: sim.pushToken, RELKIT_COMMIT_TOKEN: sim.appToken },
    });
    expect(commit.commit).not.toBe(commit.github);
    expect(commit.smoke).toBe(commit.commit);
  });

  it("the workflow's GITHUB_TOKEN cannot dispatch to the smoke repository: the 404 names the smoke role", async () => {
    const { result } = await publish({ GITHUB_TOKEN: sim.repositoryToken(R) });
    expect(result.status).toBe('failed');
    expect(result.journal.map((j) => j.status)).toEqual(['done', 'done', 'done', 'failed']);
    // Reading the smoke repository's releases (is the dispatch done?) is refused first.
    expect(result.error?.message).toMatch(
      /the smoke token \(RELKIT_SMOKE_TOKEN, Action input smoke-token; .*\) lacks contents: read on acme\/app-smoke/,
    );
    expect(sim.dispatches(SMOKE)).toEqual([]);
  });

  it('a read-only smoke token: the dispatch refusal names the smoke role and repository_dispatch', async () => {
    const { result } = await publish({
      GITHUB_TOKEN: sim.repositoryToken(R),
      RELKIT_SMOKE_TOKEN: sim.readToken,
    });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(
      /the smoke token \(RELKIT_SMOKE_TOKEN, .*\) lacks contents: write \(repository_dispatch\) on acme\/app-smoke/,
    );
  });

  it('a smoke token of its own reaches the smoke repository; the rest stays on GITHUB_TOKEN', async () => {
    const { result } = await publish({
      GITHUB_TOKEN: sim.repositoryToken(R),
      RELKIT_SMOKE_TOKEN: sim.repositoryToken(SMOKE),
    });
    expect(result.status).toBe('succeeded');
    expect(sim.dispatches(SMOKE).map((d) => d.clientPayload.tag)).toEqual(['1.2.3']);
  });

  it('a commit token without write access: the 403 names the commit role and contents: write', async () => {
    const { result } = await publish({
      RELKIT_GITHUB_TOKEN: sim.appToken,
      RELKIT_COMMIT_TOKEN: sim.readToken,
      RELKIT_SMOKE_TOKEN: sim.appToken,
    });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(
      /the commit token \(RELKIT_COMMIT_TOKEN, Action input commit-token; .*\) lacks contents: write on acme\/app/,
    );
    expect(sim.refSha(R, 'refs/tags/1.2.3')).toBeUndefined();
  });

  it('the Packages API (ghcr.io clean-up) takes the registry token, else GITHUB_TOKEN, else github’s', async () => {
    const connect = (env: Record<string, string>) =>
      connectGitHubRoles({ cwd: dir, env: { RELKIT_GITHUB_API_URL: sim.url, ...env } });
    const github = await connect({ RELKIT_GITHUB_TOKEN: sim.appToken });
    expect(github.packages).toBe(github.github);
    expect(github.packagesTokenName).toMatch(/the github token/);
    const workflow = await connect({ RELKIT_GITHUB_TOKEN: sim.appToken, GITHUB_TOKEN: sim.pushToken });
    expect(workflow.packages).not.toBe(workflow.github);
    expect(workflow.packagesTokenName).toMatch(/GITHUB_TOKEN/);
    const registry = await connect({
      GITHUB_TOKEN: sim.pushToken,
      RELKIT_REGISTRY_PASSWORD: sim.userToken,
    });
    expect(registry.packages).not.toBe(registry.github);
    expect(registry.packagesTokenName).toMatch(/RELKIT_REGISTRY_PASSWORD/);
  });

  it('RELKIT_GITHUB_TOKEN wins over GH_TOKEN / GITHUB_TOKEN', async () => {
    const { result } = await publish({ GITHUB_TOKEN: sim.readToken, RELKIT_GITHUB_TOKEN: sim.appToken });
    expect(result.status).toBe('succeeded');
  });
});
