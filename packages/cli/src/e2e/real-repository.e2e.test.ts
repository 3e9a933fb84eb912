// The "real repository" test (issue 19): prepare → publish --candidate → publish → promote →
// clean-up, end to end, in a world built like vig-os/devkit (see real-repository.ts): gitflow,
// a ruleset that takes only API commits an App makes, tokens per role, the ghcr.io-like
// registry, a three-file finalize of the origin's real CHANGELOG. Once through the release-cli
// process, once through the Action bundle with exactly the inputs the generated workflows pass.
import { afterEach, describe, expect, it } from 'vitest';
import { expectExit, expectOutput, jsonOf, runRelease } from './harness.js';
import {
  FINALIZED,
  FINALIZE_DATE,
  FROZEN,
  MIRROR,
  OPEN,
  PREVIOUS,
  REPOSITORY as R,
  SMOKE_REPOSITORY,
  VERSION,
  lockStatus,
  readme,
  startRealRepositoryWorld,
  type RealRepositoryWorld,
} from './real-repository.js';

let world: RealRepositoryWorld | undefined;
afterEach(async () => {
  try {
    world?.github.assertNoViolations();
  } finally {
    await world?.stop();
    world = undefined;
  }
});

const BRANCH = `release/${VERSION}`;

/** What the maintainer and the smoke repository do between the phases. */
function readyForFinal(w: RealRepositoryWorld, pr: number) {
  w.github.setPullDraft(R, pr, false);
  w.github.addCheckRun(R, w.github.branchSha(R, BRANCH)!, {
    name: 'ci',
    status: 'completed',
    conclusion: 'success',
  });
}
function readyForPromote(w: RealRepositoryWorld, pr: number) {
  w.github.addCheckRun(R, w.github.branchSha(R, BRANCH)!, {
    name: 'ci',
    status: 'completed',
    conclusion: 'success',
  });
  w.github.review(R, pr, 'maintainer', 'APPROVED');
  w.github.setMergeState(R, pr, 'clean');
  // The downstream smoke test passed: it published its release of X.Y.Z.
  w.github.seedRelease(SMOKE_REPOSITORY, { tag: VERSION });
}

/** The open PR from release/X.Y.Z (the simulator numbers PRs from 101). */
function releasePull(w: RealRepositoryWorld) {
  for (let n = 101; n < 120; n++) {
    try {
      const p = w.github.pull(R, n);
      if (p.head === BRANCH) return p;
    } catch {
      break;
    }
  }
  throw new Error(`no pull request from ${BRANCH}`);
}

/** After prepare: dev froze the CHANGELOG by an API commit, release/X.Y.Z cut there, a draft PR. */
function expectPrepared(w: RealRepositoryWorld, devBefore: string): number {
  const dev = w.github.branchSha(R, 'dev')!;
  expect(w.github.commitInfo(R, dev)).toEqual({
    message: `chore: freeze changelog for release ${VERSION}`,
    parents: [devBefore],
  });
  expect(w.github.readFile(R, dev, 'CHANGELOG.md')).toBe(FROZEN);
  expect(w.github.branchSha(R, BRANCH)).toBe(dev);
  const pr = releasePull(w);
  expect(pr).toMatchObject({ base: 'main', draft: true, state: 'open' });
  return pr.number;
}

/** After the final publish: ONE finalize commit with the three files, tagged X.Y.Z. */
function expectFinalized(w: RealRepositoryWorld, rcSha: string) {
  const head = w.github.branchSha(R, BRANCH)!;
  expect(w.github.commitInfo(R, head)).toEqual({
    message: `chore: finalize release ${VERSION}\n\nSet release date to ${FINALIZE_DATE}.\nAlso updated: ${MIRROR}, README.md.`,
    parents: [rcSha],
  });
  // The origin's own finalize, byte for byte.
  expect(w.github.readFile(R, head, 'CHANGELOG.md')).toBe(FINALIZED);
  expect(w.github.readFile(R, head, MIRROR)).toBe(FINALIZED);
  expect(w.github.readFile(R, head, 'README.md')).toBe(readme(VERSION));
  expect(w.github.refSha(R, `refs/tags/${VERSION}`)).toBe(head);
  expect(w.github.releases(R).find((r) => r.tag === VERSION)).toMatchObject({ draft: true });
  return head;
}

/** The end state: everything promote and clean-up promise. */
async function expectReleased(
  w: RealRepositoryWorld,
  pr: number,
  images: { final: string; finalPlatforms: readonly string[]; rc: string; rcPlatforms: readonly string[] },
) {
  const exists = async (ref: string) => (await w.writer.getManifest(w.imageRepository, ref)) !== null;
  // latest = the X.Y.Z index digest.
  expect((await w.writer.getManifest(w.imageRepository, 'latest'))?.digest).toBe(images.final);
  // The release is published, the PR merged, dev synced with main.
  expect(w.github.releases(R).find((r) => r.tag === VERSION)).toMatchObject({ draft: false });
  const merged = w.github.pull(R, pr);
  expect(merged).toMatchObject({ merged: true });
  expect(w.github.branchSha(R, 'dev')).toBe(w.github.branchSha(R, 'main'));
  expect(w.github.readFile(R, w.github.branchSha(R, 'dev')!, 'CHANGELOG.md')).toBe(FINALIZED);
  // RC versions deleted through the Packages API (never the registry's DELETE, which is a 405).
  const deletes = w.github.requests.filter((r) => r.method === 'DELETE' && r.status === 204);
  expect(deletes.length).toBeGreaterThan(0);
  expect(new Set(deletes.map((r) => r.operation))).toEqual(
    new Set(['DELETE /orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}']),
  );
  expect(w.front.log.filter((r) => r.method === 'DELETE')).toEqual([]);
  expect(await exists(`${VERSION}-rc1`)).toBe(false);
  expect(await exists(images.rc)).toBe(false);
  for (const p of images.rcPlatforms) expect(await exists(p)).toBe(false);
  // X.Y.Z, its platform manifests and latest stay; so does the previous release.
  expect((await w.writer.getManifest(w.imageRepository, VERSION))?.digest).toBe(images.final);
  for (const p of images.finalPlatforms) expect(await exists(p)).toBe(true);
  expect((await w.writer.getManifest(w.imageRepository, PREVIOUS))?.digest).toBe(w.previousImage.digest);
  // The lock is free, and every request and answer was as GitHub's OpenAPI description says.
  expect(lockStatus(w.github)).not.toBe('held');
  w.github.assertNoViolations();
}

describe('a real repository, end to end', { timeout: 300_000 }, () => {
  it('through the release-cli process, each token in its role', async () => {
    const w = (world = await startRealRepositoryWorld());
    const roles = {
      // github: releases, tags, the PR: GITHUB_TOKEN-like, this repository only.
      RELKIT_GITHUB_TOKEN: w.tokens.workflow,
      // commit: the App, whose API commits GitHub signs (the ruleset's only way in).
      RELKIT_COMMIT_TOKEN: w.tokens.app,
      // smoke: scoped to the smoke repository.
      RELKIT_SMOKE_TOKEN: w.tokens.smoke,
      // packages (ghcr.io and the Packages API): the workflow token.
      GITHUB_TOKEN: w.tokens.workflow,
    };
    const cli = (args: string[], over: Record<string, string> = {}) =>
      runRelease([...args, '--config', w.configPath], {
        cwd: w.workspace,
        env: { ...process.env, ...w.env, NO_COLOR: '1', ...roles, ...over },
      });
    const devBefore = w.github.branchSha(R, 'dev')!;

    // A role's token that cannot reach the repository: GitHub's 404, the role named, nothing written.
    const wrong = await cli(['prepare', VERSION, '--yes'], { RELKIT_COMMIT_TOKEN: w.tokens.smoke });
    expect(wrong.code).not.toBe(0);
    expectOutput(wrong, 'stdout').toMatch(
      /the commit token \(RELKIT_COMMIT_TOKEN, Action input commit-token/,
    );
    expectOutput(wrong, 'stdout').toMatch(/Not Found/);
    expect(w.github.branchSha(R, 'dev')).toBe(devBefore);
    expect(w.github.branchSha(R, BRANCH)).toBeUndefined();
    // A person's token: its commits are not signed, the ruleset refuses them.
    const unsigned = await cli(['prepare', VERSION, '--yes'], {
      RELKIT_COMMIT_TOKEN: w.github.userToken,
    });
    expect(unsigned.code).not.toBe(0);
    expectOutput(unsigned, 'stdout').toMatch(/signed|verified|rule/i);
    expect(w.github.branchSha(R, 'dev')).toBe(devBefore);

    expectExit(await cli(['prepare', VERSION, '--yes']), 0);
    const pr = expectPrepared(w, devBefore);

    // CI builds the candidate from the release branch head, then publish --candidate tags it.
    const rcSha = w.github.branchSha(R, BRANCH)!;
    const rc = await w.ciBuild(`${VERSION}-rc1`, rcSha);
    expectExit(await cli(['publish', VERSION, '--candidate', '--yes']), 0);
    expect(w.github.refSha(R, `refs/tags/${VERSION}-rc1`)).toBe(rcSha);

    readyForFinal(w, pr);
    expectExit(await cli(['publish', VERSION, '--yes', '--date', FINALIZE_DATE]), 0);
    const finalSha = expectFinalized(w, rcSha);
    expect(w.github.dispatches(SMOKE_REPOSITORY).length).toBeGreaterThan(0);
    // CI builds X.Y.Z from the finalize commit (the tag's).
    const final = await w.ciBuild(VERSION, finalSha);

    readyForPromote(w, pr);
    expectExit(await cli(['promote', VERSION, '--yes']), 0);
    expectExit(await cli(['cleanup', VERSION, '--yes']), 0);
    await expectReleased(w, pr, {
      final: final.digest,
      finalPlatforms: final.platforms.map((p) => p.digest),
      rc: rc.digest,
      rcPlatforms: rc.platforms.map((p) => p.digest),
    });
    expect(OPEN).not.toBe(FROZEN);
  });
});
