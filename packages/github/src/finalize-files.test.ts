// Multi-file finalize (issue 19): the origin's real CHANGELOG, an exact copy of it shipped in the
// image and a README version line, finalized in ONE API commit through the git data API against
// the GitHub simulator (every request validated against GitHub's OpenAPI description).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPublishService, parseConfig, type PublishForgePort } from '@relkit/release-core';
import { startGitHubSimulator, type GitHubSimulator } from '@relkit/testkit';
import { GitHubForge } from './forge.js';
import { publishForgePort } from './publish-port.js';

/** ../shared/data next to the repository root (RELKIT_SHARED_DIR overrides). */
function finalizeData(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return join(process.env.RELKIT_SHARED_DIR ?? join(dir, '..', 'shared'), 'data', 'changelogs', 'finalize');
}
// vig-os/devkit's CHANGELOG just before and after its own "chore: finalize release 1.11.0".
const BEFORE = readFileSync(join(finalizeData(), '1.11.0.before.md'), 'utf8');
const AFTER = readFileSync(join(finalizeData(), '1.11.0.after.md'), 'utf8');
const DATE = '2026-08-20';

const R = 'vig-os/devkit';
const MIRROR = 'assets/workspace/.devcontainer/CHANGELOG.md';
const README = (v: string) => `# devkit\n\n**Latest Version:** ${v}\n`;
const config = parseConfig({
  repository: R,
  changelog: { path: 'CHANGELOG.md', mirrors: [MIRROR] },
  versionFiles: [{ path: 'README.md', pattern: '^\\*\\*Latest Version:\\*\\* (\\d+\\.\\d+\\.\\d+)$' }],
});
const run = { id: '77', url: 'https://github.com/vig-os/devkit/actions/runs/77', workflow: 'release.yml' };

let sim: GitHubSimulator;
let forge: PublishForgePort;
let freezeSha: string;

beforeEach(async () => {
  sim = await startGitHubSimulator();
  const main = sim.createRepo(R, {
    defaultBranch: 'main',
    files: { 'CHANGELOG.md': BEFORE, [MIRROR]: BEFORE, 'README.md': README('1.10.0') },
  });
  sim.setRef(R, 'refs/tags/1.10.0', main);
  freezeSha = sim.commit(R, 'release/1.11.0', { 'fix.txt': 'x\n' }, 'fix: last one');
  sim.setRef(R, 'refs/tags/1.11.0-rc1', freezeSha);
  const pr = sim.openPull(R, { head: 'release/1.11.0', base: 'main', title: 'chore: release 1.11.0' });
  sim.addCheckRun(R, freezeSha, { name: 'ci', status: 'completed', conclusion: 'success' });
  sim.setMergeState(R, pr, 'clean');
  // The origin's ruleset: only signed commits, i.e. API commits an App makes.
  sim.requireSignedCommits(R, 'release/1.11.0');
  const gh = new GitHubForge({
    token: sim.appToken,
    baseUrl: sim.url,
    pollIntervalMs: 5,
    retryBaseMs: 5,
    writeSpacingMs: 0,
  });
  forge = publishForgePort(gh, config);
});

afterEach(async () => {
  try {
    sim.assertNoViolations();
  } finally {
    await sim.stop();
  }
});

const service = (f: PublishForgePort = forge) =>
  createPublishService(config, { forge: f, sleep: async () => undefined });

describe(
  'finalize writes the CHANGELOG, its mirror and the version line in one API commit',
  { timeout: 30_000 },
  () => {
    it("turns the origin's real before-file into its after-file, the mirror into a copy, README into 1.11.0", async () => {
      const { plan, result } = await service().publish('1.11.0', { run, date: DATE });
      expect(plan.verdict).toBe('pass');
      expect(result.status).toBe('succeeded');
      const head = sim.branchSha(R, 'release/1.11.0')!;
      // ONE commit on the frozen head, holding all three files.
      expect(sim.commitInfo(R, head)?.parents).toEqual([freezeSha]);
      expect(sim.commitInfo(R, head)?.message).toBe(
        `chore: finalize release 1.11.0\n\nSet release date to ${DATE}.\nAlso updated: ${MIRROR}, README.md.`,
      );
      expect(sim.readFile(R, head, 'CHANGELOG.md')).toBe(AFTER);
      expect(sim.readFile(R, head, MIRROR)).toBe(AFTER);
      expect(sim.readFile(R, head, 'README.md')).toBe(README('1.11.0'));
      expect(sim.readFile(R, head, 'fix.txt')).toBe('x\n');
      expect(sim.refSha(R, 'refs/tags/1.11.0')).toBe(head);
      // The release lock's own writes (its tree, its ref moves) are not the finalize's.
      const finalizeOps = () =>
        sim.requests
          .filter(
            (q) =>
              !q.path.includes('relkit-locks') &&
              !JSON.stringify(q.body ?? '').includes('relkit release lock'),
          )
          .map((q) => q.operation);
      const ops = finalizeOps();
      expect(ops.filter((o) => o === 'POST /repos/{owner}/{repo}/git/blobs')).toHaveLength(3);
      expect(ops.filter((o) => o === 'POST /repos/{owner}/{repo}/git/trees')).toHaveLength(1);
      expect(ops.filter((o) => o === 'PATCH /repos/{owner}/{repo}/git/refs/{ref}')).toHaveLength(1);
      expect(ops).not.toContain('PUT /repos/{owner}/{repo}/contents/{path}');

      // A re-run: every file already holds its finalized content, so finalize is a no-op.
      const again = await service().publish('1.11.0', { run, date: DATE });
      expect(again.result.status).toBe('succeeded');
      expect(again.result.journal[0]).toMatchObject({ kind: 'finalize-changelog', status: 'skipped' });
      expect(sim.branchSha(R, 'release/1.11.0')).toBe(head);
      expect(finalizeOps().filter((o) => o === 'POST /repos/{owner}/{repo}/git/trees')).toHaveLength(1);
    });

    it('a mirror left behind (dated CHANGELOG only) is brought up on a re-run, in one more commit', async () => {
      const dated = sim.commit(R, 'release/1.11.0', { 'CHANGELOG.md': AFTER }, 'chore: date by hand');
      sim.addCheckRun(R, dated, { name: 'ci', status: 'completed', conclusion: 'success' });
      const { result } = await service().publish('1.11.0', { run, date: DATE });
      expect(result.status).toBe('succeeded');
      const head = sim.branchSha(R, 'release/1.11.0')!;
      expect(sim.commitInfo(R, head)?.parents).toEqual([dated]);
      // The tag marks the commit that completed the finalize, not the hand-dated one.
      expect(sim.refSha(R, 'refs/tags/1.11.0')).toBe(head);
      expect(sim.readFile(R, head, MIRROR)).toBe(AFTER);
      expect(sim.readFile(R, head, 'README.md')).toBe(README('1.11.0'));
    });

    it('refuses when the head moved after finalize read it: nothing is overwritten, nothing tagged', async () => {
      let intruder = '';
      const racing: PublishForgePort = {
        ...forge,
        async commitFiles(change, signal) {
          intruder = sim.commit(R, 'release/1.11.0', { 'late.txt': 'late\n' }, 'docs: a late push');
          return forge.commitFiles!(change, signal);
        },
      };
      const { result } = await service(racing).publish('1.11.0', { run, date: DATE });
      expect(result.status).toBe('failed');
      expect(result.error?.message).toMatch(/moved from .* nothing was committed/);
      expect(sim.branchSha(R, 'release/1.11.0')).toBe(intruder);
      expect(sim.readFile(R, intruder, 'CHANGELOG.md')).toBe(BEFORE);
      expect(sim.refSha(R, 'refs/tags/1.11.0')).toBeUndefined();
    });

    it('a commit token that cannot see the repository is refused as the commit role (404), not as a moved branch', async () => {
      // GitHub answers 404 for the ref as for the repository: a token scoped elsewhere sees neither.
      const elsewhere = new GitHubForge({
        token: sim.repositoryToken('vig-os/devkit-smoke'),
        baseUrl: sim.url,
        pollIntervalMs: 5,
        retryBaseMs: 5,
        writeSpacingMs: 0,
      });
      const port = publishForgePort(new GitHubForge({ token: sim.appToken, baseUrl: sim.url }), config, {
        commit: elsewhere,
      });
      const e = await port.commitFiles!({
        branch: 'release/1.11.0',
        parentSha: freezeSha,
        message: 'chore: finalize',
        files: [{ path: 'CHANGELOG.md', content: AFTER }],
      }).then(
        () => undefined,
        (x: unknown) => x as { code: string; message: string },
      );
      expect(e?.code).toBe('NOT_FOUND');
      expect(e?.message).toMatch(/^the commit token \(RELKIT_COMMIT_TOKEN, Action input commit-token;/);
      expect(e?.message).not.toMatch(/moved/);
      expect(sim.branchSha(R, 'release/1.11.0')).toBe(freezeSha);
    });

    it('a guarded ref update: the branch moving between tree and ref update is refused, not force-moved', async () => {
      const gh = new GitHubForge({
        token: sim.appToken,
        baseUrl: sim.url,
        pollIntervalMs: 5,
        retryBaseMs: 5,
        writeSpacingMs: 0,
      });
      const moved = sim.commit(R, 'release/1.11.0', { 'late.txt': 'late\n' }, 'docs: a late push');
      const e = await gh
        .commitFiles(
          { owner: 'vig-os', repo: 'devkit' },
          {
            branch: 'release/1.11.0',
            parentSha: freezeSha,
            message: 'chore: finalize',
            files: [{ path: 'CHANGELOG.md', content: AFTER }],
          },
        )
        .then(
          () => undefined,
          (x: unknown) => x as { code: string; message: string },
        );
      expect(e?.code).toBe('CONFLICT');
      expect(sim.branchSha(R, 'release/1.11.0')).toBe(moved);
    });
  },
);
