import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, type CliContext } from '../command.js';
import { main } from '../main.js';
import { memoryGitHub, memoryService, type MemoryGitHub } from './__tests__/memory-publish.js';
import { publishCommands, publishRun } from './publish.js';

function capture(m: MemoryGitHub, env: Record<string, string> = {}, extra: Partial<CliContext> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { NO_COLOR: '1', ...env },
    cwd: process.cwd(),
    isTTY: false,
    connectPublish: async () => memoryService(m),
    ...extra,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const actions = { GITHUB_RUN_ID: '9001', GITHUB_REPOSITORY: 'acme/app', GITHUB_ACTIONS: 'true' };

describe('release-cli publish', () => {
  it('--dry-run shows every check and the four steps, and writes nothing', async () => {
    const m = memoryGitHub();
    const c = capture(m);
    expect(await main(['publish', '1.2.3', '--dry-run'], c.ctx, publishCommands)).toBe(ExitCode.ok);
    const out = c.out();
    expect(out).toContain('✓ a release candidate was published: 1.2.3-rc1 is the newest candidate');
    expect(out).toContain('1. date ## [1.2.3] in CHANGELOG.md as');
    expect(out).toContain('2. create lightweight tag 1.2.3 at the finalize commit');
    expect(out).toContain('3. create draft GitHub release 1.2.3');
    expect(out).toContain('4. dispatch smoke-test-trigger to acme/app-smoke');
    expect(m.tags.has('1.2.3')).toBe(false);
  });

  it('publishes with --yes --json in Actions: correlation id from the run, journal, draft release URL', async () => {
    const m = memoryGitHub();
    const c = capture(m, actions);
    expect(
      await main(['publish', '1.2.3', '--yes', '--json', '--date', '2026-11-27'], c.ctx, publishCommands),
    ).toBe(ExitCode.ok);
    const json = JSON.parse(c.out()) as {
      plan: { correlationId: string; publishVersion: string };
      result: { status: string; sha: string; release: { url: string }; journal: { status: string }[] };
    };
    expect(json.plan.correlationId).toBe('acme/app:9001:1.2.3');
    expect(json.plan.publishVersion).toBe('1.2.3');
    expect(json.result.status).toBe('succeeded');
    expect(json.result.journal.map((j) => j.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(json.result.sha).toBe(m.head);
    expect(m.tags.get('1.2.3')).toBe(m.head);
    expect(json.result.release.url).toBe('https://github.com/acme/app/releases/tag/1.2.3');
    expect(m.files.get(`${m.head}:CHANGELOG.md`)).toContain('releases/tag/1.2.3) - 2026-11-27');
    expect(m.dispatches[0]).toMatchObject({
      source_run_url: 'https://github.com/acme/app/actions/runs/9001',
      correlation_id: 'acme/app:9001:1.2.3',
    });
  });

  it('waits (with progress lines) for the release PR checks still running at the finalize commit, then publishes', async () => {
    const m = memoryGitHub();
    // The check completes 1.5 s after publish first read it running (run 2 of a final release
    // starts with the finalize commit's CI).
    let firstRead: number | undefined;
    Object.defineProperty(m, 'checks', {
      get: () => {
        firstRead ??= Date.now();
        return Date.now() - firstRead < 1500 ? 'pending' : 'success';
      },
    });
    const c = capture(m);
    expect(await main(['publish', '1.2.3', '--yes', '--wait', '30'], c.ctx, publishCommands)).toBe(
      ExitCode.ok,
    );
    expect(c.err()).toMatch(/waiting \(\d+s of 30s\) for checks green .*running: ci/);
    expect(m.tags.get('1.2.3')).toBe(m.head);
  });

  it('--wait 0 refuses at once (exit 3) while the release PR checks are running', async () => {
    const m = memoryGitHub();
    m.checks = 'pending';
    const c = capture(m);
    expect(await main(['publish', '1.2.3', '--yes', '--wait', '0'], c.ctx, publishCommands)).toBe(
      ExitCode.gateNotMet,
    );
    expect(c.err()).not.toContain('waiting');
    expect(m.tags.has('1.2.3')).toBe(false);
  });

  it('--dry-run answers at once unless given --wait (the generated plan job passes it)', async () => {
    const m = memoryGitHub();
    m.checks = 'pending';
    const quick = capture(m);
    expect(await main(['publish', '1.2.3', '--dry-run'], quick.ctx, publishCommands)).toBe(
      ExitCode.gateNotMet,
    );
    expect(quick.err()).not.toContain('waiting');
    let firstRead: number | undefined;
    Object.defineProperty(m, 'checks', {
      get: () => {
        firstRead ??= Date.now();
        return Date.now() - firstRead < 1500 ? 'pending' : 'success';
      },
    });
    const patient = capture(m);
    expect(await main(['publish', '1.2.3', '--dry-run', '--wait', '30'], patient.ctx, publishCommands)).toBe(
      ExitCode.ok,
    );
    expect(patient.err()).toMatch(/waiting \(\d+s of 30s\)/);
    expect(m.tags.has('1.2.3')).toBe(false);
  });

  it('does not wait when a check failed: only what settles by itself is awaited', async () => {
    const m = memoryGitHub();
    m.checks = 'failure';
    const c = capture(m);
    const started = Date.now();
    expect(await main(['publish', '1.2.3', '--yes'], c.ctx, publishCommands)).toBe(ExitCode.gateNotMet);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(c.err()).not.toContain('waiting');
  });

  it('exits 3 with the failing check when the release PR is a draft, and writes nothing', async () => {
    const m = memoryGitHub();
    m.prDraft = true;
    const c = capture(m);
    expect(await main(['publish', '1.2.3', '--yes'], c.ctx, publishCommands)).toBe(ExitCode.gateNotMet);
    expect(c.out()).toContain('✗ PR ready for review: #42 is a draft; mark it ready (gh pr ready 42)');
    expect(c.err()).toContain('publish refused');
    expect(m.tags.has('1.2.3')).toBe(false);
  });

  it('asks for --yes when not on a terminal, and honours a "no" on one', async () => {
    const m = memoryGitHub();
    const c = capture(m);
    expect(await main(['publish', '1.2.3'], c.ctx, publishCommands)).toBe(ExitCode.usage);
    expect(c.err()).toContain('pass --yes');
    const tty = capture(m, {}, { isTTY: true, prompt: async () => 'n' });
    expect(await main(['publish', '1.2.3'], tty.ctx, publishCommands)).toBe(ExitCode.failed);
    expect(tty.err()).toContain('cancelled; nothing was changed');
    expect(m.tags.has('1.2.3')).toBe(false);
  });

  it('--candidate cuts the next RC; the two halves split around the build', async () => {
    const m = memoryGitHub();
    m.head = 'f'.repeat(40);
    m.files.set(`${m.head}:CHANGELOG.md`, m.files.get(`${'2'.padStart(40, '0')}:CHANGELOG.md`)!);
    const c = capture(m, actions);
    expect(
      await main(
        ['publish', '1.2.3', '--candidate', '--skip-smoke', '--yes', '--json'],
        c.ctx,
        publishCommands,
      ),
    ).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ plan: { tag: '1.2.3-rc2', stage: 'release' } });
    expect(m.dispatches).toEqual([]);
    const s = capture(m, actions);
    expect(
      await main(['publish', '1.2.3', '--candidate', '--smoke-only', '--yes'], s.ctx, publishCommands),
    ).toBe(0);
    expect(m.dispatches).toHaveLength(1);
    expect(m.dispatches[0]).toMatchObject({ tag: '1.2.3-rc2', release_kind: 'candidate' });
  });

  it('--stage finalize dates the CHANGELOG only; --built-from then tags that commit, or exits 3 naming both', async () => {
    const m = memoryGitHub();
    const built = m.head;
    const f = capture(m, actions);
    expect(
      await main(['publish', '1.2.3', '--stage', 'finalize', '--yes', '--json'], f.ctx, publishCommands),
    ).toBe(ExitCode.ok);
    const json = JSON.parse(f.out()) as {
      plan: { stage: string; steps: unknown[] };
      result: { sha: string };
    };
    expect(json.plan.stage).toBe('finalize');
    expect(json.plan.steps).toHaveLength(1);
    expect(m.head).not.toBe(built);
    expect(json.result.sha).toBe(m.head);
    expect(m.tags.has('1.2.3')).toBe(false);
    expect(m.dispatches).toEqual([]);
    // The run that built the old head may not tag the finalize commit.
    const stale = capture(m, actions);
    expect(
      await main(
        ['publish', '1.2.3', '--skip-smoke', '--built-from', built, '--yes'],
        stale.ctx,
        publishCommands,
      ),
    ).toBe(ExitCode.gateNotMet);
    expect(stale.out()).toContain(`this run built ${built}`);
    expect(stale.out()).toContain(m.head);
    expect(stale.out()).toContain(
      'dispatch the publish workflow again on release/1.2.3 after the finalize run',
    );
    expect(m.tags.has('1.2.3')).toBe(false);
    const ok = capture(m, actions);
    expect(
      await main(
        ['publish', '1.2.3', '--stage', 'release', '--built-from', m.head, '--yes'],
        ok.ctx,
        publishCommands,
      ),
    ).toBe(ExitCode.ok);
    expect(m.tags.get('1.2.3')).toBe(m.head);
    expect(m.dispatches).toEqual([]);
  });

  it('refuses contradictory flags, a bad date and a candidate version with usage errors', async () => {
    const m = memoryGitHub();
    for (const argv of [
      ['publish', '1.2.3', '--skip-smoke', '--smoke-only'],
      ['publish', '1.2.3', '--stage', 'smoke', '--skip-smoke'],
      ['publish', '1.2.3', '--stage', 'later'],
      ['publish', '1.2.3', '--built-from', 'abc123'],
      ['publish', '1.2.3', '--date', '27.11.2026'],
    ]) {
      const c = capture(m);
      expect(await main(argv, c.ctx, publishCommands)).toBe(ExitCode.usage);
    }
    const c = capture(m);
    expect(await main(['publish', '1.2.3-rc1', '--dry-run'], c.ctx, publishCommands)).toBe(ExitCode.failed);
    expect(c.err()).toContain(
      'pass the base version 1.2.3 (with --candidate for the next RC) [INVALID_VERSION]',
    );
  });

  it('exits 4 when another release run holds the lock', async () => {
    const m = memoryGitHub();
    m.lock = true;
    const c = capture(m);
    expect(await main(['publish', '1.2.3', '--yes'], c.ctx, publishCommands)).toBe(ExitCode.lockHeld);
    expect(c.err()).toContain('bob (run 7)');
  });

  it('without an injected service: finds no config and says how to make one; no token is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relkit-publish-'));
    const c = capture(memoryGitHub(), {}, { connectPublish: undefined, cwd: dir });
    expect(await main(['publish', '1.2.3', '--dry-run'], c.ctx, publishCommands)).toBe(ExitCode.failed);
    expect(c.err()).toContain('no release.config.json in');
    expect(c.err()).toContain('release-cli init');
    writeFileSync(join(dir, 'release.config.json'), JSON.stringify({ repository: 'acme/app' }));
    const t = capture(memoryGitHub(), { GH_CONFIG_DIR: dir }, { connectPublish: undefined, cwd: dir });
    expect(await main(['publish', '1.2.3', '--dry-run'], t.ctx, publishCommands)).toBe(ExitCode.failed);
    expect(t.err()).toContain('[NO_TOKEN]');
  });
});

describe('release-cli verify-publish', () => {
  it('passes for the signed index and prints its digest; exits 3 when unsigned', async () => {
    const m = memoryGitHub();
    const c = capture(m);
    expect(await main(['verify-publish', '1.2.3'], c.ctx, publishCommands)).toBe(ExitCode.ok);
    expect(c.out()).toContain(`ghcr.io/acme/app@sha256:${'a'.repeat(64)}`);
    m.signed.clear();
    const j = capture(m);
    expect(await main(['verify-publish', '1.2.3', '--json'], j.ctx, publishCommands)).toBe(
      ExitCode.gateNotMet,
    );
    const v = JSON.parse(j.out()) as { verdict: string; gates: { id: string; status: string }[] };
    expect(v.verdict).toBe('fail');
    expect(v.gates.find((g) => g.id === 'image-signature')?.status).toBe('fail');
  });
});

describe('publishRun', () => {
  it('names the Actions run, or a local one', () => {
    expect(
      publishRun({
        GITHUB_RUN_ID: '5',
        GITHUB_REPOSITORY: 'a/b',
        GITHUB_WORKFLOW_REF: 'a/b/.github/workflows/x.yml@refs/heads/m',
      }),
    ).toEqual({
      id: '5',
      url: 'https://github.com/a/b/actions/runs/5',
      workflow: 'a/b/.github/workflows/x.yml@refs/heads/m',
    });
    expect(publishRun({}, new Date(1_000))).toEqual({ id: 'local-1000', workflow: 'release-cli' });
  });
});
