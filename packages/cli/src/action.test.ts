import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { startGitHubSimulator } from '@relkit/testkit';
import { describe, expect, it } from 'vitest';
import { readOutputs, repoRoot } from './__tests__/actions-env.js';
import {
  parseConfig,
  parseVersion,
  planPromote,
  releaseStatus,
  type Observations,
} from '@relkit/release-core';
import {
  ACTION_COMMANDS,
  actionArgv,
  actionMain,
  roleEnv,
  outputsFrom,
  runAction,
  summaryMarkdown,
} from './action.js';
import { memConfig, memoryGitHub, memoryService } from './commands/__tests__/memory-publish.js';
import { initFiles } from '@relkit/connect';
import { publishCommands } from './commands/publish.js';
import type { CommandReport } from './report.js';
import { ExitCode, type Command } from './command.js';

const run = promisify(execFile);

const ROOT = repoRoot();
const BUNDLE = join(ROOT, 'dist', 'index.js');

function actionsEnv(dir: string, inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: join(dir, 'output.txt'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_RUN_ID: '777',
    GITHUB_REPOSITORY: 'acme/app',
    PATH: process.env.PATH ?? '',
  };
  // Actions upper-cases input names and keeps dashes: dry-run → INPUT_DRY-RUN.
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}

async function runBundle(env: Record<string, string>, cwd: string) {
  try {
    const r = await run(process.execPath, [BUNDLE], { env, cwd });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('the committed action bundle', () => {
  it(
    'is up to date: rebuilding it from source gives the same bytes (run tools/build-action.mjs)',
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'relkit-bundle-'));
      try {
        const fresh = join(dir, 'index.js');
        await run(process.execPath, [join(ROOT, 'tools', 'build-action.mjs'), '--outfile', fresh], {
          cwd: ROOT,
        });
        const committed = readFileSync(BUNDLE, 'utf8');
        const rebuilt = readFileSync(fresh, 'utf8');
        expect(
          rebuilt === committed,
          'dist/index.js is stale: run `node tools/build-action.mjs` and commit it',
        ).toBe(true);
        expect(committed).not.toContain(ROOT);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('token-role inputs become the CLI environment; registry user and password go together', () => {
    const env = {
      INPUT_TOKEN: 'ghs_workflow',
      'INPUT_GITHUB-TOKEN': 'ghs_release',
      'INPUT_COMMIT-TOKEN': 'ghs_commit',
      'INPUT_SMOKE-TOKEN': '',
      'INPUT_REGISTRY-USERNAME': 'bot',
      'INPUT_REGISTRY-PASSWORD': 'secret',
    };
    expect(roleEnv(env)).toEqual({
      GITHUB_TOKEN: 'ghs_workflow',
      RELKIT_GITHUB_TOKEN: 'ghs_release',
      RELKIT_COMMIT_TOKEN: 'ghs_commit',
      RELKIT_REGISTRY_USERNAME: 'bot',
      RELKIT_REGISTRY_PASSWORD: 'secret',
    });
    expect(() => roleEnv({ 'INPUT_REGISTRY-USERNAME': 'bot' })).toThrow(/go together/);
  });

  it('action.yml runs the bundle on node24 and declares every input the generated workflows pass', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      runs: { using: string; main: string };
      inputs: Record<string, { default?: string }>;
      outputs: Record<string, unknown>;
    };
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(['command', 'version', 'config', 'dry-run', 'token']),
    );
    // Token roles (issue 19): exactly these names.
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining([
        'github-token',
        'commit-token',
        'smoke-token',
        'registry-username',
        'registry-password',
      ]),
    );
    expect(Object.keys(action.outputs)).toEqual(
      expect.arrayContaining(['phase', 'digests', 'release-url', 'pr-merge-sha']),
    );
    for (const f of initFiles({
      repository: 'acme/app',
      image: 'ghcr.io/acme/app',
      smoke: 'acme/s',
      action: 'relkit/relkit@v1',
      cliVersion: '0.1.0',
    })) {
      if (!f.path.endsWith('.yml')) continue;
      const wf = parse(f.content) as {
        jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
      };
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps.filter((s) => s.uses === 'relkit/relkit@v1')) {
          for (const key of Object.keys(step.with ?? {}))
            expect(action.inputs, `${f.path}: ${key}`).toHaveProperty(key);
        }
      }
    }
  });

  it.each(ACTION_COMMANDS)(
    '%s: a missing config fails cleanly with an ::error:: annotation',
    async (command) => {
      const dir = mkdtempSync(join(tmpdir(), 'relkit-action-'));
      const r = await runBundle(
        actionsEnv(dir, { command, version: '1.2.3', config: 'release.config.json' }),
        dir,
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        '::error title=relkit,file=release.config.json::release.config.json not found in',
      );
      expect(r.stdout).toContain('release-cli init');
      expect(r.stderr).toBe('');
      expect(readOutputs(join(dir, 'output.txt'))).toEqual({});
    },
  );

  it.each(ACTION_COMMANDS)('%s: an invalid config names what is wrong in the annotation', async (command) => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-action-'));
    writeFileSync(join(dir, 'relkit.json'), JSON.stringify({ repository: 'not a repo', images: [] }));
    const r = await runBundle(
      actionsEnv(dir, {
        command,
        version: '1.2.3',
        config: 'relkit.json',
        token: 'ghs_abcdefghijklmnopqrstuvwxyz0123456789',
      }),
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error title=relkit,file=relkit\.json::relkit\.json is not valid:%0A {2}at \$\.repository: expected OWNER\/REPO$/m,
    );
    expect(r.stdout).not.toContain('ghs_abcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('bad inputs are annotated, not thrown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-action-'));
    for (const [inputs, message] of [
      [
        { command: 'deploy' },
        'input "command" must be one of status, prepare, publish, verify-publish, promote, rollback, abandon, cleanup, doctor, got "deploy"',
      ],
      [{ command: 'promote' }, 'input "version" is required for promote'],
      [
        { command: 'publish', version: '1.2.3', 'dry-run': 'yes' },
        'input "dry-run" must be true or false, got "yes"',
      ],
      [
        { command: 'publish', version: '1.2.3', stage: 'half' },
        'input "stage" must be all, release, smoke or finalize, got "half"',
      ],
    ] as const) {
      const r = await runBundle(actionsEnv(dir, inputs), dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`::error title=relkit::${message}`);
    }
  });
});

describe('the bundle against the GitHub simulator', () => {
  it(
    'publish (smoke stage) announces a finalized release: dispatch, outputs, summary',
    { timeout: 60_000 },
    async () => {
      const sim = await startGitHubSimulator();
      try {
        sim.createRepo('acme/app', { defaultBranch: 'main', files: { 'CHANGELOG.md': '# Changelog\n' } });
        sim.createRepo('acme/app-smoke', { defaultBranch: 'main', files: { 'README.md': '# smoke\n' } });
        const sha = sim.commit('acme/app', 'release/1.2.3', {
          'CHANGELOG.md':
            '# Changelog\n\n## Unreleased\n\n## [1.2.3](https://github.com/acme/app/releases/tag/1.2.3) - 2026-11-27\n\n### Added\n\n- x\n',
        });
        sim.setRef('acme/app', 'refs/tags/1.2.3', sha);
        sim.seedRelease('acme/app', { tag: '1.2.3', draft: true, body: '### Added\n\n- x' });
        const dir = mkdtempSync(join(tmpdir(), 'relkit-action-'));
        writeFileSync(
          join(dir, 'release.config.json'),
          JSON.stringify({ repository: 'acme/app', smoke: { repository: 'acme/app-smoke' } }),
        );
        const env: Record<string, string> = {
          ...actionsEnv(dir, { command: 'publish', version: '1.2.3', stage: 'smoke', token: sim.pushToken }),
          RELKIT_GITHUB_API_URL: sim.url,
        };
        const r = await runBundle(env, dir);
        expect(r.stdout).not.toContain('::error');
        expect(r.code).toBe(0);
        expect(r.stdout).not.toContain(sim.pushToken);
        expect(readOutputs(env.GITHUB_OUTPUT!)).toEqual({
          verdict: 'pass',
          tag: '1.2.3',
          'image-tag': '1.2.3',
          sha,
          phase: 'published',
        });
        expect(sim.dispatches('acme/app-smoke').map((d) => d.clientPayload.correlation_id)).toEqual([
          'acme/app:777:1.2.3',
        ]);
        expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain(
          '| 1 | dispatch smoke-test-trigger to acme/app-smoke (correlation acme/app:777:1.2.3) | ✅ dispatched',
        );
        sim.assertNoViolations();
      } finally {
        await sim.stop();
      }
    },
  );
});

describe('runAction in-process (publish wired to an in-memory GitHub)', () => {
  function setup(inputs: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-action-'));
    writeFileSync(join(dir, 'release.config.json'), JSON.stringify(memConfig));
    const m = memoryGitHub();
    const log: string[] = [];
    const env = actionsEnv(dir, inputs);
    const go = () =>
      runAction({
        env,
        cwd: dir,
        log: (t) => log.push(t),
        connectPublish: async () => memoryService(m),
        commands: publishCommands,
      });
    return { dir, m, log, go, env };
  }

  it('publish (release stage): outputs tag, image tag, sha and draft release URL; summary lists checks and steps', async () => {
    const t = setup({ command: 'publish', version: '1.2.3', stage: 'release' });
    expect(await t.go()).toBe(0);
    const out = readOutputs(t.env.GITHUB_OUTPUT!);
    expect(out).toEqual({
      verdict: 'pass',
      tag: '1.2.3',
      'image-tag': '1.2.3',
      sha: t.m.head,
      'release-url': 'https://github.com/acme/app/releases/tag/1.2.3',
      phase: 'finalized',
    });
    const summary = readFileSync(t.env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('## relkit publish 1.2.3');
    expect(summary).toContain(
      '| ✅ | a release candidate was published | 1.2.3-rc1 is the newest candidate |',
    );
    expect(summary).toMatch(
      /\| 2 \| create lightweight tag 1\.2\.3 at the finalize commit \| ✅ tagged [0-9a-f]{7} as 1\.2\.3 \|/,
    );
    expect(t.m.dispatches).toEqual([]);
    expect(t.log.join('')).toContain(
      'release-cli publish 1.2.3 --json --config release.config.json --yes --skip-smoke',
    );
  });

  it('publish blocked by a check: exit 1 with the failing check in the annotation; dry-run changes nothing', async () => {
    const t = setup({ command: 'publish', version: '1.2.3' });
    t.m.checks = 'failure';
    expect(await t.go()).toBe(1);
    expect(t.log.join('')).toContain(
      '::error title=relkit::publish blocked: checks green (latest run per name): failing: ci',
    );
    const d = setup({ command: 'publish', version: '1.2.3', 'dry-run': 'true' });
    expect(await d.go()).toBe(0);
    expect(d.m.tags.has('1.2.3')).toBe(false);
    expect(readFileSync(d.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('dry run, nothing changed');
  });

  it('anything unexpected (an unwritable GITHUB_OUTPUT) still ends as one ::error:: annotation', async () => {
    const t = setup({ command: 'verify-publish', version: '1.2.3' });
    const log: string[] = [];
    const code = await actionMain({
      env: { ...t.env, GITHUB_OUTPUT: join(t.dir, 'no', 'such', 'dir', 'out') },
      cwd: t.dir,
      log: (x) => log.push(x),
      connectPublish: async () => memoryService(t.m),
      commands: publishCommands,
    });
    expect(code).toBe(1);
    expect(log.join('')).toMatch(/::error title=relkit::relkit failed unexpectedly: ENOENT/);
  });

  it('verify-publish outputs the signed digest as JSON', async () => {
    const t = setup({ command: 'verify-publish', version: '1.2.3' });
    expect(await t.go()).toBe(0);
    expect(readOutputs(t.env.GITHUB_OUTPUT!)).toEqual({
      verdict: 'pass',
      phase: 'published',
      digests: JSON.stringify({ 'ghcr.io/acme/app': `sha256:${'a'.repeat(64)}` }),
    });
  });
});

describe('outputs and summary from the typed reports of the promote side (real core shapes)', () => {
  const config = parseConfig({ ...memConfig, smoke: undefined });
  const digest = `sha256:${'c'.repeat(64)}`;
  const obs: Observations = {
    version: parseVersion('1.2.3'),
    observedAt: '2026-11-27T00:00:00Z',
    images: [
      {
        image: 'ghcr.io/acme/app',
        version: {
          state: 'found',
          digest,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          multiArch: true,
          platforms: [
            { os: 'linux', architecture: 'amd64', digest: `sha256:${'1'.repeat(64)}` },
            { os: 'linux', architecture: 'arm64', digest: `sha256:${'2'.repeat(64)}` },
          ],
        },
        latest: { state: 'found', digest, mediaType: 'x', multiArch: true, platforms: [] },
        latestVersion: '1.2.3',
        signature: {
          state: 'verified',
          digest,
          signer: {
            identity: 'https://github.com/acme/app/x',
            issuer: 'https://token.actions.githubusercontent.com',
          },
          attestations: [],
          provenance: {
            sourceDigest: 'b'.repeat(40),
            sourceRef: 'refs/tags/1.2.3',
            runnerEnvironment: 'github-hosted',
          },
        },
      },
    ],
    release: {
      state: 'published',
      id: 7,
      tag: '1.2.3',
      url: 'https://github.com/acme/app/releases/tag/1.2.3',
      prerelease: false,
    },
    smoke: { state: 'not-configured' },
    pullRequest: {
      state: 'merged',
      number: 42,
      url: 'https://github.com/acme/app/pull/42',
      head: 'release/1.2.3',
      base: 'main',
      headSha: 'a'.repeat(40),
      draft: false,
      approved: true,
      approvedOnHead: true,
      // The promote plan below reopens this PR: its head needs a green check ("no checks" fails).
      checks: [{ name: 'ci', state: 'success' }],
      mergeable: 'clean',
      mergeCommitSha: 'e'.repeat(40),
    },
    versionTag: { state: 'found', tag: '1.2.3', sha: 'b'.repeat(40) },
    candidateTags: ['1.2.3-rc1'],
  };

  it('status: phase, digests, release URL and merge SHA', () => {
    const report: CommandReport = { command: 'status', status: releaseStatus(config, obs) };
    expect(outputsFrom(report, 0)).toEqual({
      phase: 'promoted',
      verdict: 'pass',
      digests: JSON.stringify({ 'ghcr.io/acme/app': digest }),
      'release-url': 'https://github.com/acme/app/releases/tag/1.2.3',
      'pr-merge-sha': 'e'.repeat(40),
    });
    expect(summaryMarkdown('relkit status 1.2.3', report, 0)).toContain('phase `promoted`');
  });

  it('promote: digest latest moved to, the release URL, the merge commit from the journal', () => {
    const plan = planPromote(config, {
      ...obs,
      release: { ...obs.release, state: 'draft' } as Observations['release'],
      pullRequest: { ...obs.pullRequest, state: 'open' } as Observations['pullRequest'],
    });
    const report: CommandReport = {
      command: 'promote',
      plan,
      result: {
        kind: 'promote',
        version: '1.2.3',
        status: 'succeeded',
        journal: [
          {
            id: 'publish-release 1.2.3',
            kind: 'publish-release',
            status: 'done',
            message: 'published',
            at: 'x',
          },
          {
            id: 'merge-pr #42',
            kind: 'merge-pr',
            status: 'done',
            before: 'a'.repeat(40),
            after: 'f'.repeat(40),
            message: 'merged',
            at: 'x',
          },
        ],
      },
    };
    expect(outputsFrom(report, 0)).toEqual({
      phase: 'promoted',
      verdict: 'pass',
      digests: JSON.stringify({ 'ghcr.io/acme/app': digest }),
      'release-url': 'https://github.com/acme/app/releases/tag/1.2.3',
      'pr-merge-sha': 'f'.repeat(40),
    });
    const md = summaryMarkdown('relkit promote 1.2.3', report, 0);
    expect(md).toContain('| ✅ | a final version | 1.2.3 |');
    expect(md).toContain(
      '| 3 | merge PR #42 (release/1.2.3 → main) by an allowed method at aaaaaaa | ✅ merged |',
    );
  });

  it('builds the command line each command needs', () => {
    const argv = (inputs: Record<string, string>) => actionArgv(actionsEnv('/w', inputs)).argv;
    expect(argv({ command: 'status' })).toEqual(['status', '--json', '--config', 'release.config.json']);
    expect(argv({ command: 'rollback', version: '1.2.2', 'dry-run': 'true' })).toEqual([
      'rollback',
      '--to',
      '1.2.2',
      '--json',
      '--config',
      'release.config.json',
      '--dry-run',
    ]);
    expect(argv({ command: 'abandon', version: '1.2.3' })).toContain('--yes');
    for (const version of ['-h', '--help', '--dry-run'])
      expect(() => argv({ command: 'promote', version }), version).toThrow(
        /input "version" must be a version such as 1\.2\.3/,
      );
    expect(argv({ command: 'cleanup', version: '1.2.3' })).toEqual([
      'cleanup',
      '1.2.3',
      '--json',
      '--config',
      'release.config.json',
      '--yes',
    ]);
    expect(argv({ command: 'cleanup', version: '1.2.3', 'dry-run': 'true' })).toContain('--dry-run');
    expect(argv({ command: 'publish', version: '1.2.3', candidate: 'true', stage: 'smoke' })).toEqual([
      'publish',
      '1.2.3',
      '--json',
      '--config',
      'release.config.json',
      '--yes',
      '--candidate',
      '--smoke-only',
    ]);
    expect(() => argv({ command: 'verify-publish', version: '1.2.3', 'dry-run': 'true' })).toThrow(
      /does not apply/,
    );
    expect(argv({ command: 'publish', version: '1.2.3', stage: 'finalize' }).slice(-3)).toEqual([
      '--yes',
      '--stage',
      'finalize',
    ]);
    const sha = 'a'.repeat(40);
    expect(
      argv({ command: 'publish', version: '1.2.3', stage: 'release', 'built-from': sha }).slice(-3),
    ).toEqual(['--skip-smoke', '--built-from', sha]);
    expect(() => argv({ command: 'promote', version: '1.2.3', 'built-from': sha })).toThrow(/publish only/);
    expect(argv({ command: 'publish', version: '1.2.3', 'dry-run': 'true', wait: '600' }).slice(-2)).toEqual([
      '--wait',
      '600',
    ]);
    expect(argv({ command: 'promote', version: '1.2.3', wait: '0' }).slice(-2)).toEqual(['--wait', '0']);
    expect(argv({ command: 'publish', version: '1.2.3' })).not.toContain('--wait');
    expect(() => argv({ command: 'abandon', version: '1.2.3', wait: '60' })).toThrow(
      /"wait" applies to publish and promote only/,
    );
    expect(argv({ command: 'prepare', version: '1.3.0' })).toEqual([
      'prepare',
      '1.3.0',
      '--json',
      '--config',
      'release.config.json',
      '--yes',
    ]);
    expect(argv({ command: 'prepare', version: '1.3.0', 'dry-run': 'true' })).toContain('--dry-run');
    expect(() => argv({ command: 'prepare' })).toThrow(/"version" is required for prepare/);
  });

  it('prepare: the commit the release branch starts at, the draft PR, phase prepared', () => {
    const report: CommandReport = {
      command: 'prepare',
      plan: {
        kind: 'prepare',
        version: '1.3.0',
        releaseBranch: 'release/1.3.0',
        integrationBranch: 'dev',
        baseBranch: 'main',
        gates: [],
        verdict: 'pass',
        steps: [],
      },
      result: {
        kind: 'prepare',
        version: '1.3.0',
        status: 'succeeded',
        journal: [],
        sha: 'c'.repeat(40),
        pullRequest: { number: 7, url: 'https://github.com/acme/app/pull/7' },
      },
    };
    expect(outputsFrom(report, 0)).toEqual({
      phase: 'prepared',
      verdict: 'pass',
      sha: 'c'.repeat(40),
      'pr-url': 'https://github.com/acme/app/pull/7',
    });
  });
});

describe('step outputs are redacted', () => {
  it('a URL with userinfo from a hostile GitHub (pr-url) reaches GITHUB_OUTPUT without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-action-'));
    writeFileSync(join(dir, 'release.config.json'), JSON.stringify(memConfig));
    const env = actionsEnv(dir, { command: 'prepare', version: '1.2.3' });
    const secret = 'opaqueGheSecret42'; // in no environment variable: only the URL shape tells
    // A stand-in prepare that reports what a hostile server answered for the release PR.
    const prepare: Command = {
      path: ['prepare'],
      summary: 'prepare',
      usage: 'prepare <version>',
      positionals: [1, 1],
      options: {
        json: { type: 'boolean' },
        config: { type: 'string' },
        yes: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        timeout: { type: 'string' },
      },
      run: async (_args, ctx) => {
        ctx.onReport?.({
          command: 'prepare',
          dryRun: false,
          plan: undefined,
          result: {
            sha: 'f'.repeat(40),
            pullRequest: { url: `https://bot:${secret}@ghe.example/acme/app/pull/7` },
          },
        } as unknown as CommandReport);
        ctx.stdout('{}\n');
        return ExitCode.ok;
      },
    };
    const log: string[] = [];
    expect(await runAction({ env, cwd: dir, log: (t) => log.push(t), commands: [prepare] })).toBe(0);
    const outputs = readFileSync(env.GITHUB_OUTPUT!, 'utf8');
    expect(outputs).not.toContain(secret);
    expect(readOutputs(env.GITHUB_OUTPUT!)['pr-url']).toBe('https://***@ghe.example/acme/app/pull/7');
  });
});
