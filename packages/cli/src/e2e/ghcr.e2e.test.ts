// End-to-end: RC clean-up against a ghcr.io look-alike — the real registry behind a front that
// answers an OCI manifest DELETE with 405 UNSUPPORTED, and the registry repository served as a
// container package by the simulator's GitHub Packages API.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  OciWriter,
  registryPackageSource,
  startGhcrFront,
  startReleaseWorld,
  type FaultProxy,
  type ReleaseWorld,
} from '@relkit/testkit';
import { readOutputs, repoRoot } from '../__tests__/actions-env.js';
import { expectExit, expectOutput, jsonOf, runCli } from './harness.js';

let world: ReleaseWorld | undefined;
let front: FaultProxy | undefined;
afterEach(async () => {
  world?.github.assertNoViolations();
  await front?.stop();
  await world?.stop();
  world = front = undefined;
});

/** The world with its image behind the ghcr-like front, and `cleanup` (and extra) in the config. */
async function ghcrWorld(config: Record<string, unknown>) {
  const w = (world = await startReleaseWorld());
  const f = (front = await startGhcrFront(w.registry.url));
  const image = `${f.host}/${w.imageRepository}`;
  const parsed = JSON.parse(readFileSync(w.configPath, 'utf8')) as { images: { name: string }[] };
  parsed.images = parsed.images.map((i) => ({ ...i, name: image }));
  writeFileSync(w.configPath, JSON.stringify({ ...parsed, ...config }, null, 2));
  const docker = join(w.env.DOCKER_CONFIG!, 'config.json');
  const auths = (JSON.parse(readFileSync(docker, 'utf8')) as { auths: Record<string, unknown> }).auths;
  writeFileSync(docker, JSON.stringify({ auths: { ...auths, [f.host]: auths[w.registry.host] } }));
  w.github.addContainerPackage('acme', 'app', registryPackageSource(w.registry, w.imageRepository), {
    repository: w.repository,
  });
  return { w, f, image, writer: OciWriter.for(w.registry) };
}

interface ReportJson {
  status: string;
  dryRun: boolean;
  images: {
    route: string;
    candidateTags: string[];
    delete: { version: { id: number; digest: string; tags: string[] }; why: string; reason: string }[];
    keep: { version: { id: number; digest: string; tags: string[] }; reason: string }[];
    deleted: number[];
    failures: unknown[];
    error?: { code: string; message: string };
  }[];
}

const exists = async (writer: OciWriter, repo: string, ref: string) =>
  (await writer.getManifest(repo, ref)) !== null;

describe('release-cli cleanup on a ghcr.io-like registry', () => {
  it('deletes the RC versions through the Packages API; X.Y.Z (index + platforms) and latest stay', async () => {
    const { w, f, writer } = await ghcrWorld({ cleanup: { via: 'packages-api' } });
    const rc = w.images.candidate;
    const dry = await runCli(w, ['cleanup', w.version, '--dry-run', '--json']);
    expectExit(dry, 0);
    const plan = jsonOf<ReportJson>(dry).images[0]!;
    expect(plan.route).toBe('packages-api');
    expect(plan.candidateTags).toEqual([`${w.version}-rc1`]);
    const doomed = plan.delete.map((d) => d.version.digest);
    expect(doomed).toEqual(expect.arrayContaining([rc.digest, ...rc.platforms.map((p) => p.digest)]));
    expect(plan.delete.find((d) => d.version.digest === rc.digest)?.why).toBe('candidate');
    expect(plan.delete.some((d) => d.why === 'candidate-signature')).toBe(true);
    // Why each of X.Y.Z's and latest's versions stays.
    const why = (digest: string) => plan.keep.find((k) => k.version.digest === digest)?.reason;
    expect(why(w.images.version.digest)).toBe(`it is ${w.version}`);
    for (const p of w.images.version.platforms)
      expect(why(p.digest)).toBe(`it is a platform manifest of ${w.version}`);
    expect(why(w.images.previous.digest)).toBe('it is latest');
    expect(await exists(writer, w.imageRepository, `${w.version}-rc1`)).toBe(true);

    const text = await runCli(w, ['cleanup', w.version, '--dry-run']);
    expectExit(text, 0);
    expectOutput(text, 'stdout').toContain('(GitHub Packages API)');
    expectOutput(text, 'stdout').toContain(`would delete version`);
    expectOutput(text, 'stdout').toContain(
      `keep ${w.images.version.digest.slice(7, 19)}: it is ${w.version}`,
    );

    const run = await runCli(w, ['cleanup', w.version, '--yes', '--json']);
    expectExit(run, 0);
    const done = jsonOf<ReportJson>(run);
    expect(done.status).toBe('succeeded');
    expect(done.images[0]!.deleted).toHaveLength(plan.delete.length);
    // Deleted through the Packages API, never through the registry's DELETE.
    const deletes = w.github.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.operation)).toEqual(
      plan.delete.map(
        () => 'DELETE /orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}',
      ),
    );
    expect(f.log.filter((r) => r.method === 'DELETE')).toEqual([]);
    // The registry itself: the RC and its platform manifests are gone; X.Y.Z and latest are whole.
    expect(await exists(writer, w.imageRepository, `${w.version}-rc1`)).toBe(false);
    expect(await exists(writer, w.imageRepository, rc.digest)).toBe(false);
    for (const p of rc.platforms) expect(await exists(writer, w.imageRepository, p.digest)).toBe(false);
    expect((await writer.getManifest(w.imageRepository, w.version))?.digest).toBe(w.images.version.digest);
    for (const p of w.images.version.platforms)
      expect(await exists(writer, w.imageRepository, p.digest)).toBe(true);
    expect((await writer.getManifest(w.imageRepository, 'latest'))?.digest).toBe(w.images.previous.digest);
    for (const p of w.images.previous.platforms)
      expect(await exists(writer, w.imageRepository, p.digest)).toBe(true);

    // X.Y.Z still verifies after the clean-up, and a second run has nothing to delete.
    expectExit(await runCli(w, ['status', w.version, '--json']), 0);
    const again = await runCli(w, ['cleanup', w.version, '--yes']);
    expectExit(again, 0);
    expectOutput(again, 'stdout').toContain('no RC versions to delete');
  });

  it('promote with cleanupCandidates removes the RC through the Packages API as its last step', async () => {
    const { w, writer, image } = await ghcrWorld({
      cleanupCandidates: true,
      cleanup: { via: 'packages-api' },
    });
    const r = await runCli(w, ['promote', w.version, '--yes', '--json']);
    expectExit(r, 0);
    const out = jsonOf<{ result: { journal: { id: string; status: string; message: string }[] } }>(r);
    expect(out.result.journal.at(-1)).toMatchObject({
      id: `delete-candidate-versions ${image}`,
      status: 'done',
    });
    expect(await exists(writer, w.imageRepository, `${w.version}-rc1`)).toBe(false);
    // latest now names X.Y.Z: both survive with every platform manifest.
    expect((await writer.getManifest(w.imageRepository, 'latest'))?.digest).toBe(w.images.version.digest);
    for (const p of w.images.version.platforms)
      expect(await exists(writer, w.imageRepository, p.digest)).toBe(true);
  });

  it('through the OCI API the 405 UNSUPPORTED is recognised and names the way out', async () => {
    const { w, writer } = await ghcrWorld({ cleanup: { via: 'registry' } });
    const run = await runCli(w, ['cleanup', w.version, '--yes', '--json']);
    expectExit(run, 1);
    const img = jsonOf<ReportJson>(run).images[0]!;
    expect(img.route).toBe('registry');
    expect(img.error?.code).toBe('UNSUPPORTED');
    expect(img.error?.message).toMatch(/405/);
    expect(img.error?.message).toMatch(/GitHub Packages API/);
    expect(img.error?.message).toMatch(/"cleanup": \{ "via": "packages-api" \}/);
    expect(await exists(writer, w.imageRepository, `${w.version}-rc1`)).toBe(true);

    const text = await runCli(w, ['cleanup', w.version, '--yes']);
    expectExit(text, 1);
    expectOutput(text, 'stdout').toContain('✗ UNSUPPORTED');
  });

  it('the Action bundle: command cleanup with the workflow token (dry run, then for real)', async () => {
    const { w, writer } = await ghcrWorld({ cleanup: { via: 'packages-api' } });
    const token = w.github.repositoryToken(w.repository);
    const step = async (inputs: Record<string, string>) => {
      const runner = mkdtempSync(join(tmpdir(), 'relkit-runner-'));
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: runner,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: w.workspace,
        GITHUB_OUTPUT: join(runner, 'output'),
        GITHUB_STEP_SUMMARY: join(runner, 'summary.md'),
        GITHUB_REPOSITORY: w.repository,
        RELKIT_GITHUB_API_URL: w.env.RELKIT_GITHUB_API_URL!,
        DOCKER_CONFIG: w.env.DOCKER_CONFIG!,
        INPUT_CONFIG: 'release.config.json',
        // The workflow's GITHUB_TOKEN (packages: write; it reaches only its own repository, to which
        // the package is linked): the Packages API's token.
        INPUT_TOKEN: token,
        INPUT_COMMAND: 'cleanup',
        INPUT_VERSION: w.version,
      };
      for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
      const r = await promisify(execFile)(process.execPath, [join(repoRoot(), 'dist', 'index.js')], {
        env,
        cwd: w.workspace,
      }).then(
        (x) => ({ code: 0, stdout: x.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
      const summary = existsSync(env.GITHUB_STEP_SUMMARY!)
        ? readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')
        : '';
      return { ...r, outputs: readOutputs(env.GITHUB_OUTPUT!), summary };
    };
    const dry = await step({ 'DRY-RUN': 'true' });
    expect(dry.stdout).not.toContain('::error');
    expect(dry.code).toBe(0);
    expect(dry.summary).toContain('would delete');
    expect(dry.summary).toContain(`it is ${w.version}`);
    expect(await exists(writer, w.imageRepository, `${w.version}-rc1`)).toBe(true);
    const real = await step({});
    expect(real.stdout).not.toContain(token);
    expect(real.stdout).not.toContain('::error');
    expect(real.code).toBe(0);
    expect(real.outputs.verdict).toBe('pass');
    expect(real.summary).toContain('✅ deleted');
    expect(await exists(writer, w.imageRepository, `${w.version}-rc1`)).toBe(false);
    expect((await writer.getManifest(w.imageRepository, w.version))?.digest).toBe(w.images.version.digest);
  });
});
