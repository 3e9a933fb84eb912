// The "real repository" test (issue 19): prepare → publish --candidate → publish → promote →
// clean-up, end to end, in a world built like vig-os/devkit (see real-repository.ts): gitflow,
// a ruleset that takes only API commits an App makes, tokens per role, the ghcr.io-like
// registry, a three-file finalize of the origin's real CHANGELOG. Once through the release-cli
// process, once through the Action bundle with exactly the inputs the generated workflows pass.
import { afterEach, describe, expect, it } from 'vitest';
import { initFiles } from '@relkit/connect';
import { expectExit, expectOutput, runRelease } from './harness.js';
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
import {
  dispatchInputs,
  parseWorkflow,
  relkitCommands,
  runWorkflow,
  type RunnerWorld,
  type StepRun,
  type Workflow,
} from './workflow-runner.js';

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
function expectFinalized(w: RealRepositoryWorld, rcSha: string, date = FINALIZE_DATE) {
  const head = w.github.branchSha(R, BRANCH)!;
  expect(w.github.commitInfo(R, head)).toEqual({
    message: `chore: finalize release ${VERSION}\n\nSet release date to ${date}.\nAlso updated: ${MIRROR}, README.md.`,
    parents: [rcSha],
  });
  // The origin's own finalize, byte for byte (its heading dated `date`).
  const expected = finalizedOn(date);
  expect(w.github.readFile(R, head, 'CHANGELOG.md')).toBe(expected);
  expect(w.github.readFile(R, head, MIRROR)).toBe(expected);
  expect(w.github.readFile(R, head, 'README.md')).toBe(readme(VERSION));
  expect(w.github.refSha(R, `refs/tags/${VERSION}`)).toBe(head);
  expect(w.github.releases(R).find((r) => r.tag === VERSION)).toMatchObject({ draft: true });
  return head;
}

/** The origin's after-file with its 1.11.0 heading dated `date` (the Action dates by today). */
function finalizedOn(date: string): string {
  const heading = `## [${VERSION}](https://github.com/${R}/releases/tag/${VERSION}) - ${FINALIZE_DATE}\n`;
  expect(FINALIZED).toContain(heading);
  return FINALIZED.replace(heading, heading.replace(FINALIZE_DATE, date));
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
  expect(w.github.readFile(R, w.github.branchSha(R, 'dev')!, 'CHANGELOG.md')).toBe(
    w.github.readFile(R, w.github.refSha(R, `refs/tags/${VERSION}`)!, 'CHANGELOG.md'),
  );
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
    expect(w.github.readFile(R, w.github.branchSha(R, 'dev')!, 'CHANGELOG.md')).toBe(FINALIZED);
  });

  it('through the Action bundle, with exactly the inputs the generated workflows pass', async () => {
    const w = (world = await startRealRepositoryWorld());
    const ACTION = 'vig-os/relkit';
    const workflows = initFiles({
      repository: R,
      image: w.image,
      smoke: SMOKE_REPOSITORY,
      action: `${ACTION}@${'a'.repeat(40)}`,
      cliVersion: '0.0.0',
      githubApp: true,
      integrationBranch: 'dev',
    })
      .filter((f) => f.path.startsWith('.github/workflows/'))
      .map((f) => parseWorkflow(f.content));
    /** The workflow whose relkit steps run `command` (undefined when none does yet). */
    const running = (command: string) =>
      workflows.filter((wf) => relkitCommands(wf, ACTION).includes(command));
    const [publishWf] = running('publish');
    const [promoteWf] = running('promote');
    expect(publishWf?.name).toBe('release-publish');
    expect(promoteWf?.name).toBe('promote-release');

    // The substitution table's tokens: what each expression stands for in this world.
    const appToken = (inputs: Readonly<Record<string, unknown>>) => {
      // Scoped to named repositories: only the smoke repository is ever named.
      if (inputs.repositories !== undefined) {
        expect(inputs).toMatchObject({ owner: 'vig-os', repositories: 'devkit-smoke' });
        return w.tokens.smoke;
      }
      // contents: write → the App's installation token (GitHub signs its API commits);
      // contents: read → a token GitHub lets read only (drafts invisible, writes 403).
      return inputs['permission-contents'] === 'write' ? w.tokens.app : w.tokens.readOnly;
    };
    const builds: Record<string, { digest: string; platforms: string[] }> = {};
    const on = (ref: string): RunnerWorld => ({
      action: ACTION,
      repository: R,
      workspace: w.workspace,
      ref: `refs/heads/${ref}`,
      sha: w.github.branchSha(R, ref)!,
      env: w.env,
      workflowToken: w.tokens.workflow,
      appToken,
      // CI's own jobs: the build (every platform, from the commit the job checks out: the head of
      // the release branch), signed and attested by the release workflow.
      async ciJob(_job, definition, evaluate) {
        if (!(definition.steps ?? []).some((s) => s.uses?.startsWith('docker/build-push-action@'))) return;
        const expr = /\$\{\{\s*needs\.[\w-]+\.outputs\.image-tag\s*\}\}/.exec(JSON.stringify(definition));
        expect(expr, 'the build job names the image tag the plan chose').not.toBeNull();
        const tag = evaluate(expr![0]);
        if (builds[tag]) return; // one job per architecture: the first pushes the whole index
        const img = await w.ciBuild(tag, w.github.branchSha(R, BRANCH)!);
        builds[tag] = { digest: img.digest, platforms: img.platforms.map((p) => p.digest) };
      },
    });
    // A workflow that re-dispatches itself (the final's first run, after the finalize commit) is
    // run again on the same ref, which now starts at the new commit, as GitHub would.
    const dispatch = async (wf: Workflow, ref: string, values: Record<string, string>) => {
      const runs: StepRun[] = [];
      for (let round = 0; ; round++) {
        let again = false;
        const world: RunnerWorld = {
          ...on(ref),
          redispatch(step) {
            expect(step.run).toContain(`--ref "release/$VERSION"`);
            again = true;
          },
        };
        runs.push(...(await runWorkflow(wf, dispatchInputs(wf, values), world)));
        if (!again) break;
        expect(round, `${wf.name} re-dispatches itself once at most`).toBe(0);
      }
      for (const r of runs) {
        expect(r.stdout, `${r.job} › ${r.step}`).not.toContain('::error');
        for (const t of Object.values(w.tokens)) expect(r.stdout).not.toContain(t);
      }
      return runs;
    };
    const commands = (runs: StepRun[]) => runs.map((r) => `${r.job}:${r.inputs.command}`);
    const devBefore = w.github.branchSha(R, 'dev')!;

    // prepare: through its workflow when one runs it; else (not generated yet) through the CLI.
    const [prepareWf] = running('prepare');
    if (prepareWf) {
      const runs = await dispatch(prepareWf, 'dev', { version: VERSION, 'dry-run': 'false' });
      expect(commands(runs)).toContain(`${runs.at(-1)!.job}:prepare`);
    } else {
      const cli = await runRelease(['prepare', VERSION, '--yes', '--config', w.configPath], {
        cwd: w.workspace,
        env: { ...process.env, ...w.env, NO_COLOR: '1', RELKIT_GITHUB_TOKEN: w.tokens.app },
      });
      expectExit(cli, 0);
    }
    const pr = expectPrepared(w, devBefore);

    // publish --candidate: every relkit step of release-publish.yml, in job order.
    const rcSha = w.github.branchSha(R, BRANCH)!;
    const candidate = await dispatch(publishWf!, BRANCH, {
      version: VERSION,
      'release-kind': 'candidate',
      'dry-run': 'false',
    });
    expect(candidate.map((r) => r.inputs.command)).toEqual(
      expect.arrayContaining(['publish', 'verify-publish']),
    );
    expect(candidate.find((r) => r.outputs['image-tag'])?.outputs).toMatchObject({
      'image-tag': `${VERSION}-rc1`,
    });
    expect(w.github.refSha(R, `refs/tags/${VERSION}-rc1`)).toBe(rcSha);
    expect(builds[`${VERSION}-rc1`]).toBeDefined();
    expect(w.github.dispatches(SMOKE_REPOSITORY).map((d) => d.clientPayload?.tag)).toContain(
      `${VERSION}-rc1`,
    );

    readyForFinal(w, pr);
    const before = new Date().toISOString().slice(0, 10);
    const final = await dispatch(publishWf!, BRANCH, {
      version: VERSION,
      'release-kind': 'final',
      'dry-run': 'false',
    });
    const after = new Date().toISOString().slice(0, 10);
    expect(final.map((r) => r.inputs.command)).toEqual(expect.arrayContaining(['publish', 'verify-publish']));
    // The Action dates the CHANGELOG by the runner's day (UTC).
    const message = w.github.commitInfo(R, w.github.branchSha(R, BRANCH)!)?.message ?? '';
    const date = /Set release date to (\d{4}-\d{2}-\d{2})\./.exec(message)?.[1];
    expect([before, after]).toContain(date);
    const finalSha = expectFinalized(w, rcSha, date);
    expect(builds[VERSION]).toBeDefined();

    readyForPromote(w, pr);
    // Two runs: the first dated the CHANGELOG (stage finalize, one API commit) and dispatched the
    // workflow again; the second started at that commit, found it dated, built, signed and tagged it.
    expect(final.filter((r) => r.inputs.stage === 'finalize')).toHaveLength(2);
    expect(final.find((r) => r.inputs['built-from'] !== undefined)?.inputs['built-from']).toBe(finalSha);
    const finalImage = builds[VERSION];
    const promote = await dispatch(promoteWf!, BRANCH, { version: VERSION, 'dry-run': 'false' });
    expect(commands(promote)[0]).toMatch(/:promote$/);
    expect(promote.find((r) => r.inputs.command === 'promote')?.outputs).toMatchObject({
      phase: 'promoted',
      verdict: 'pass',
      digests: JSON.stringify({ [w.image]: finalImage!.digest }),
      'pr-merge-sha': w.github.pull(R, pr).mergeCommitSha,
    });

    // clean-up: through its workflow (job) when one runs it; else through the CLI.
    const cleanupWfs = running('cleanup').filter((wf) => wf !== promoteWf);
    const cleanedByPromote = commands(promote).some((c) => c.endsWith(':cleanup'));
    for (const wf of cleanupWfs) await dispatch(wf, BRANCH, { version: VERSION, 'dry-run': 'false' });
    if (!cleanedByPromote && cleanupWfs.length === 0) {
      const cli = await runRelease(['cleanup', VERSION, '--yes', '--config', w.configPath], {
        cwd: w.workspace,
        env: { ...process.env, ...w.env, NO_COLOR: '1', GITHUB_TOKEN: w.tokens.workflow },
      });
      expectExit(cli, 0);
    }
    await expectReleased(w, pr, {
      final: finalImage!.digest,
      finalPlatforms: finalImage!.platforms,
      rc: builds[`${VERSION}-rc1`]!.digest,
      rcPlatforms: builds[`${VERSION}-rc1`]!.platforms,
    });
    expect(w.github.refSha(R, `refs/tags/${VERSION}`)).toBe(finalSha);
  });
});
