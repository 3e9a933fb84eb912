// The doctor against a whole release world (real registry with token auth, GitHub simulator):
// the set-up project passes; a missing token, wrong registry credentials, a read-only token and
// missing workflows each fail the one check they concern, with a fix.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryPackageSource, startReleaseWorld, type ReleaseWorld } from '@relkit/testkit';
import { initFiles } from '../init/index.js';
import { runDoctor, type DoctorReport } from './index.js';

let world: ReleaseWorld;
let noGh: string;

const byId = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id);
const statusOf = (r: DoctorReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

/** The workflows init writes, and a signing policy naming the publish workflow, as init writes it. */
function setUpWorkflows(workspace: string) {
  const config = JSON.parse(readFileSync(join(workspace, 'release.config.json'), 'utf8')) as {
    signing: { identityRegexp: string };
  };
  config.signing.identityRegexp =
    'https://github\\.com/acme/app/\\.github/workflows/release-publish\\.yml@refs/heads/release/.+';
  writeFileSync(join(workspace, 'release.config.json'), JSON.stringify(config));
  const files = initFiles({
    repository: world.repository,
    image: world.image,
    smoke: world.smokeRepository,
    action: 'relkit/relkit@v1',
    cliVersion: '0.1.0',
  });
  for (const f of files.filter((x) => x.path.startsWith('.github/'))) {
    mkdirSync(dirname(join(workspace, f.path)), { recursive: true });
    writeFileSync(join(workspace, f.path), f.content);
  }
}

beforeAll(async () => {
  world = await startReleaseWorld();
  noGh = mkdtempSync(join(tmpdir(), 'relkit-doctor-gh-'));
}, 120_000);
afterAll(async () => {
  await world?.stop();
  rmSync(noGh, { recursive: true, force: true });
});

const env = (extra: Record<string, string | undefined> = {}) => ({
  ...world.env,
  GH_CONFIG_DIR: noGh,
  ...extra,
});

describe('runDoctor', () => {
  it('fails on missing workflows and a policy that names another workflow, with the fix', async () => {
    const r = await runDoctor({ cwd: world.workspace, env: env() });
    expect(r.ok).toBe(false);
    const wf = byId(r, 'workflow:.github/workflows/release-publish.yml');
    expect(wf).toMatchObject({ status: 'fail', detail: 'missing' });
    expect(wf?.fix).toContain('release-cli init');
    expect(byId(r, 'signing-policy')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('release-publish'),
    });
    // Everything else is in order in the world.
    expect(byId(r, 'registry-push:' + world.image)?.status).toBe('pass');
  });

  it('passes a project set up the way init sets it up', async () => {
    setUpWorkflows(world.workspace);
    const seen = world.github.requests.length;
    const r = await runDoctor({ cwd: world.workspace, env: env() });
    expect(statusOf(r)).toEqual({
      config: 'pass',
      'token-github': 'pass',
      'github-repo': 'pass',
      'github-drafts': 'pass',
      'github-pulls': 'pass',
      'token-commit': 'pass',
      'token-smoke': 'pass',
      'github-rules': 'skip',
      [`registry-pull:${world.image}`]: 'pass',
      [`registry-push:${world.image}`]: 'pass',
      'signing-policy': 'pass',
      'workflow:.github/workflows/release-publish.yml': 'pass',
      'workflow:.github/workflows/prepare-release.yml': 'pass',
      'workflow:.github/workflows/promote-release.yml': 'pass',
      'workflow:.github/workflows/abandon-release.yml': 'pass',
    });
    expect(r.ok).toBe(true);
    expect(byId(r, 'github-rules')?.detail).toMatch(/^not checked \(/);
    // Nothing was written: the simulator saw only reads, and none of them broke the OpenAPI contract.
    expect(world.github.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(world.github.violations).toEqual([]);
    // One token for every role (GITHUB_TOKEN): named once, asked once per repository.
    expect(byId(r, 'token-github')?.detail).toBe('from GITHUB_TOKEN');
    expect(byId(r, 'token-commit')?.detail).toMatch(
      /^same token as github \(from GITHUB_TOKEN\): push access/,
    );
    expect(byId(r, 'token-smoke')?.detail).toMatch(
      /^same token as github \(from GITHUB_TOKEN\): push access/,
    );
    const asked = (path: string) =>
      world.github.requests.slice(seen).filter((q) => q.method === 'GET' && q.path.split('?')[0] === path)
        .length;
    expect(asked('/repos/acme/app')).toBe(1);
    expect(asked('/repos/acme/app/releases')).toBe(1);
    expect(asked('/repos/acme/app/pulls')).toBe(1);
    expect(asked('/repos/acme/app-smoke')).toBe(1);
    // No token is ever printed, only where it came from.
    expect(JSON.stringify(r)).not.toContain(world.github.pushToken);
  });

  it('with a read-only commit token fails token-commit, naming RELKIT_COMMIT_TOKEN and contents: write', async () => {
    const r = await runDoctor({
      cwd: world.workspace,
      env: env({ RELKIT_COMMIT_TOKEN: world.github.readToken }),
    });
    expect(r.ok).toBe(false);
    expect(byId(r, 'github-drafts')?.status).toBe('pass');
    const commit = byId(r, 'token-commit');
    expect(commit).toMatchObject({ status: 'fail' });
    expect(commit?.detail).toMatch(
      /^from RELKIT_COMMIT_TOKEN: the commit token .*lacks contents: write on acme\/app/,
    );
    expect(commit?.fix).toContain('RELKIT_COMMIT_TOKEN');
    expect(commit?.fix).toContain('contents: write');
    // The smoke token defaults to the commit token: same token, its own repository.
    expect(byId(r, 'token-smoke')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^same token as commit \(from RELKIT_COMMIT_TOKEN\)/),
    });
    expect(JSON.stringify(r)).not.toContain(world.github.readToken);
  });

  it('with a smoke token that cannot see the smoke repository fails token-smoke', async () => {
    const r = await runDoctor({
      cwd: world.workspace,
      env: env({ RELKIT_SMOKE_TOKEN: world.github.repositoryToken(world.repository) }),
    });
    expect(r.ok).toBe(false);
    expect(byId(r, 'token-commit')?.status).toBe('pass');
    const smoke = byId(r, 'token-smoke');
    expect(smoke).toMatchObject({ status: 'fail' });
    expect(smoke?.detail).toContain('from RELKIT_SMOKE_TOKEN');
    expect(smoke?.detail).toContain(`lacks contents: write`);
    expect(smoke?.fix).toContain('RELKIT_SMOKE_TOKEN');
    expect(smoke?.fix).toContain(world.smokeRepository);
  });

  it('checks the integration branch and the packages token when the config needs them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-doctor-roles-'));
    try {
      const config = JSON.parse(readFileSync(join(world.workspace, 'release.config.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      const configPath = join(dir, 'release.config.json');
      writeFileSync(
        configPath,
        JSON.stringify({ ...config, integrationBranch: 'dev', cleanup: { via: 'packages-api' } }),
      );
      const [owner, name] = world.imageRepository.split('/') as [string, string];
      world.github.addContainerPackage(
        owner,
        name,
        memoryPackageSource([{ digest: 'sha256:' + 'a'.repeat(64), tags: ['1.0.0-rc1'] }]),
      );
      const seen = world.github.requests.length;
      const missing = await runDoctor({ cwd: dir, configPath, env: env() });
      expect(byId(missing, 'integration-branch')).toMatchObject({
        status: 'fail',
        detail: 'acme/app has no branch dev',
        fix: expect.stringContaining('integrationBranch'),
      });
      expect(byId(missing, 'token-packages')).toMatchObject({
        status: 'pass',
        detail: 'same token as github (from GITHUB_TOKEN): lists the versions of acme/app (1)',
      });
      expect(byId(missing, 'token-packages-delete')).toMatchObject({
        status: 'skip',
        detail: expect.stringMatching(/^not checked \(deleting needs `packages: write`/),
      });
      world.github.setRef(
        world.repository,
        'refs/heads/dev',
        world.github.branchSha(world.repository, 'main')!,
      );
      const present = await runDoctor({ cwd: dir, configPath, env: env() });
      expect(byId(present, 'integration-branch')?.status).toBe('pass');
      expect(world.github.requests.slice(seen).filter((q) => q.method !== 'GET')).toEqual([]);
      expect(world.github.violations).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("in the Action, compares relkit's own pin with the action running the doctor", async () => {
    const r = await runDoctor({
      cwd: world.workspace,
      env: env({ GITHUB_ACTION_REPOSITORY: 'relkit/relkit', GITHUB_ACTION_REF: 'v2' }),
    });
    expect(byId(r, 'workflow:.github/workflows/release-publish.yml')).toMatchObject({
      status: 'fail',
      detail: 'outdated pins: relkit/relkit@v1 (now @v2)',
    });
  });

  it('without a GitHub token says how to get one', async () => {
    const r = await runDoctor({
      cwd: world.workspace,
      env: env({ GITHUB_TOKEN: undefined, GH_TOKEN: undefined }),
    });
    expect(r.ok).toBe(false);
    expect(byId(r, 'token-github')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('gh auth login'),
    });
    expect(byId(r, 'github')?.status).toBe('skip');
  });

  it('with a read-only token fails the drafts check', async () => {
    const r = await runDoctor({ cwd: world.workspace, env: env({ GITHUB_TOKEN: world.github.readToken }) });
    expect(byId(r, 'github-repo')?.status).toBe('pass');
    expect(byId(r, 'github-drafts')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('contents: write'),
    });
  });

  it('with wrong registry credentials fails pull and push with the login fix', async () => {
    const docker = mkdtempSync(join(tmpdir(), 'relkit-doctor-docker-'));
    try {
      const auth = Buffer.from('someone:wrong-password').toString('base64');
      writeFileSync(
        join(docker, 'config.json'),
        JSON.stringify({ auths: { [world.registry.host]: { auth } } }),
      );
      const r = await runDoctor({ cwd: world.workspace, env: env({ DOCKER_CONFIG: docker }) });
      expect(r.ok).toBe(false);
      for (const id of [`registry-pull:${world.image}`, `registry-push:${world.image}`]) {
        expect(byId(r, id)).toMatchObject({ status: 'fail', fix: expect.stringContaining('docker login') });
      }
    } finally {
      rmSync(docker, { recursive: true, force: true });
    }
  });

  it('reports an invalid config and skips what depends on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-doctor-cfg-'));
    try {
      writeFileSync(join(dir, 'release.config.json'), '{"repository":"acme/app","imagez":[]}');
      const r = await runDoctor({ cwd: dir, env: env() });
      expect(byId(r, 'config')).toMatchObject({ status: 'fail' });
      expect(byId(r, 'registry')?.status).toBe('skip');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
