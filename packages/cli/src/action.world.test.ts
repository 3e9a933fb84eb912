// The committed Action bundle, run as GitHub runs it (node dist/index.js with INPUT_* variables,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), against the release world: the real registry
// (token auth), the OpenAPI-validated GitHub simulator and mock Sigstore.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { readOutputs, repoRoot } from './__tests__/actions-env.js';
import { skopeoDigest, startReleaseWorld, type ReleaseWorld } from '@relkit/testkit';

const BUNDLE = join(repoRoot(), 'dist', 'index.js');

/** One step of a job: a fresh runner temp dir for its output files, the world's services. */
async function step(world: ReleaseWorld, inputs: Record<string, string>) {
  const runner = mkdtempSync(join(tmpdir(), 'relkit-runner-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: runner,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: world.workspace,
    GITHUB_OUTPUT: join(runner, 'output'),
    GITHUB_STEP_SUMMARY: join(runner, 'summary.md'),
    GITHUB_RUN_ID: '31337',
    GITHUB_REPOSITORY: world.repository,
    RELKIT_GITHUB_API_URL: world.env.RELKIT_GITHUB_API_URL!,
    DOCKER_CONFIG: world.env.DOCKER_CONFIG!,
    INPUT_CONFIG: 'release.config.json',
    INPUT_TOKEN: world.github.pushToken,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = await promisify(execFile)(process.execPath, [BUNDLE], { env, cwd: world.workspace }).then(
    (x) => ({ code: 0, stdout: x.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  expect(r.stdout).not.toContain(world.github.pushToken);
  const summary = existsSync(env.GITHUB_STEP_SUMMARY!) ? readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8') : '';
  return { ...r, outputs: readOutputs(env.GITHUB_OUTPUT!), summary };
}

let world: ReleaseWorld | undefined;
afterEach(async () => {
  try {
    world?.github.assertNoViolations();
  } finally {
    await world?.stop();
    world = undefined;
  }
});

describe('the action bundle in a release world', { timeout: 120_000 }, () => {
  it('status → verify-publish → publish (resumed) → promote dry-run → promote → rollback', async () => {
    const w = (world = await startReleaseWorld());
    const digest = w.images.version.digest;

    const status = await step(w, { command: 'status', version: w.version });
    expect(status.stdout).not.toContain('::error');
    expect(status.code).toBe(0);
    expect(status.outputs).toMatchObject({
      phase: 'smoke-passed',
      verdict: 'pass',
      digests: JSON.stringify({ [w.image]: digest }),
    });
    expect(status.summary).toContain(`## relkit status ${w.version}`);
    // image-provenance: what was built (commit, ref, workflow, runner), in the reason the summary shows
    expect(status.summary).toMatch(
      /\| ✅ \| built from the release commit `[^`]+` \| built from [0-9a-f]{12} \(refs\/heads\/release\/1\.2\.3\) by acme\/app\/\.github\/workflows\/release\.yml on a github-hosted runner \|/,
    );
    // the phase output tells the truth about past releases too (before, after promote, after rollback)
    const phaseOf = async (version: string) => (await step(w, { command: 'status', version })).outputs.phase;
    expect(await phaseOf(w.previous)).toBe('promoted');

    const verify = await step(w, { command: 'verify-publish', version: w.version });
    expect(verify.stdout).not.toContain('::error');
    expect(verify.outputs).toEqual({
      verdict: 'pass',
      phase: 'published',
      digests: JSON.stringify({ [w.image]: digest }),
    });
    expect(verify.summary).toContain('signed by the release workflow');

    // The world is already published: a re-run of publish finds every step done.
    const publish = await step(w, { command: 'publish', version: w.version });
    expect(publish.stdout).not.toContain('::error');
    expect(publish.code).toBe(0);
    expect(publish.outputs).toMatchObject({
      tag: w.version,
      'image-tag': w.version,
      sha: w.github.refSha(w.repository, `refs/tags/${w.version}`),
    });
    expect(w.github.dispatches(w.smokeRepository)).toEqual([]);

    const dry = await step(w, { command: 'promote', version: w.version, 'dry-run': 'true' });
    expect(dry.code).toBe(0);
    expect(dry.summary).toContain('dry run, nothing changed');
    expect(await skopeoDigest(w.registry, `${w.imageRepository}:latest`)).toBe(w.images.previous.digest);

    const promote = await step(w, { command: 'promote', version: w.version });
    expect(promote.stdout).not.toContain('::error');
    expect(promote.code).toBe(0);
    const merged = w.github.pull(w.repository, w.pullRequest);
    expect(merged.merged).toBe(true);
    expect(promote.outputs).toMatchObject({
      phase: 'promoted',
      verdict: 'pass',
      digests: JSON.stringify({ [w.image]: digest }),
      'pr-merge-sha': merged.mergeCommitSha,
    });
    expect(promote.outputs['release-url']).toMatch(/^http/);
    expect(promote.summary).toMatch(/\| 1 \| point .*:latest at 1\.2\.3 .* \| ✅ /);
    expect(await skopeoDigest(w.registry, `${w.imageRepository}:latest`)).toBe(digest);

    expect([await phaseOf(w.version), await phaseOf(w.previous)]).toEqual(['promoted', 'superseded']);

    const rollback = await step(w, { command: 'rollback', version: w.previous });
    expect(rollback.stdout).not.toContain('::error');
    expect(rollback.code).toBe(0);
    expect(rollback.outputs.digests).toBe(JSON.stringify({ [w.image]: w.images.previous.digest }));
    expect(rollback.outputs.phase).toBe('promoted');
    expect(await skopeoDigest(w.registry, `${w.imageRepository}:latest`)).toBe(w.images.previous.digest);
    expect([await phaseOf(w.version), await phaseOf(w.previous)]).toEqual(['rolled-back', 'promoted']);
  });

  it('a gate that is not met fails the step with the gate in the annotation; abandon then undoes the drafts', async () => {
    const w = (world = await startReleaseWorld({ smokePassed: false }));
    const promote = await step(w, { command: 'promote', version: w.version });
    expect(promote.code).toBe(1);
    expect(promote.stdout).toMatch(/^::error title=relkit::promote blocked: .*downstream smoke test/m);
    expect(await skopeoDigest(w.registry, `${w.imageRepository}:latest`)).toBe(w.images.previous.digest);

    const abandon = await step(w, { command: 'abandon', version: w.version });
    expect(abandon.stdout).not.toContain('::error');
    expect(abandon.code).toBe(0);
    expect(abandon.outputs.phase).toBe('abandoned');
    expect(w.github.releases(w.repository).some((r) => r.tag === w!.version)).toBe(false);
  });

  it('doctor: fails the step naming each failed check and its fix, with a table in the summary', async () => {
    const w = (world = await startReleaseWorld());
    const doctor = await step(w, { command: 'doctor' });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(
      /^::error title=relkit::doctor failed: .*workflow \.github\/workflows\/release-publish\.yml: missing \(fix: run `release-cli init`/m,
    );
    expect(doctor.outputs.verdict).toBe('fail');
    expect(doctor.summary).toContain('| ✅ | GitHub: list releases, drafts included |');
    expect(doctor.summary).toContain('| ❌ | workflow .github/workflows/release-publish.yml | missing |');
  });
});
