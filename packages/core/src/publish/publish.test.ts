import { describe, expect, it } from 'vitest';
import { finalizeCases } from '../changelog/__tests__/shared.js';
import {
  ReleaseError,
  createPublishService,
  parseConfig,
  type PublishExecutionEvent,
  type PublishPlan,
} from '../index.js';
import {
  FROZEN,
  changelogOps,
  config,
  newWorld,
  portsFor,
  run,
  sha,
  type PublishWorld,
} from './__tests__/publish-world.js';

const svc = (w: PublishWorld, c = config) => createPublishService(c, portsFor(w));
const plan = (w: PublishWorld, version = '1.2.3', candidate = false) =>
  svc(w).plan(version, { run, candidate });
const failing = (p: PublishPlan) =>
  p.gates.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status}`);
const changelogAt = (w: PublishWorld, ref: string) =>
  w.commits.get(w.branches.get(ref) ?? w.tags.get(ref) ?? ref)?.get('CHANGELOG.md') ?? '';

describe('publish plan', () => {
  it('passes every check and plans finalize → tag → draft release → smoke dispatch', async () => {
    const p = await plan(newWorld());
    expect(p.verdict).toBe('pass');
    expect(p.gates.map((c) => c.id)).toEqual([
      'version',
      'release-branch',
      'candidate-tag',
      'changelog',
      'pr-open',
      'pr-not-draft',
      'pr-checks',
      'release-not-published',
      'version-tag',
    ]);
    expect(p.steps.map((s) => [s.id, s.done])).toEqual([
      ['finalize-changelog CHANGELOG.md@release/1.2.3', false],
      ['create-tag 1.2.3', false],
      ['create-draft-release 1.2.3', false],
      ['dispatch-smoke acme/app-smoke@1.2.3', false],
    ]);
    expect(p.steps.some((s) => s.irreversible)).toBe(false);
    expect(p.correlationId).toBe('acme/app:123:1.2.3');
    // The release date is the UTC date of the run, and notes are the section body without heading.
    expect(p.steps[0]!.step).toMatchObject({ date: '2026-11-27', parentSha: sha(2) });
    expect(p.notesPreview?.startsWith('### Added')).toBe(true);
  });

  const cases: [string, (w: PublishWorld) => void, string, 'fail' | 'pending'][] = [
    ['no release branch', (w) => w.branches.delete('release/1.2.3'), 'release-branch', 'fail'],
    ['no RC tag', (w) => w.tags.delete('1.2.3-rc1'), 'candidate-tag', 'fail'],
    ['a malformed RC tag', (w) => w.tags.set('1.2.3-rc01', sha(2)), 'candidate-tag', 'fail'],
    [
      'CHANGELOG without the section',
      (w) => w.commits.get(sha(2))!.set('CHANGELOG.md', FROZEN.replace('## [1.2.3] - TBD', '## Notes')),
      'changelog',
      'fail',
    ],
    [
      'CHANGELOG heading neither TBD nor dated',
      (w) => w.commits.get(sha(2))!.set('CHANGELOG.md', FROZEN.replace('- TBD', '- soon')),
      'changelog',
      'fail',
    ],
    ['no CHANGELOG', (w) => w.commits.get(sha(2))!.delete('CHANGELOG.md'), 'changelog', 'fail'],
    ['no release PR', (w) => (w.pr.state = 'missing'), 'pr-open', 'fail'],
    ['release PR is a draft', (w) => (w.pr.draft = true), 'pr-not-draft', 'fail'],
    ['CI failing (latest run)', (w) => (w.pr.checks = 'failure'), 'pr-checks', 'fail'],
    ['CI still running', (w) => (w.pr.checks = 'pending'), 'pr-checks', 'pending'],
    ['PR already merged', (w) => (w.pr.state = 'merged'), 'pr-open', 'fail'],
    [
      'release already published',
      (w) => w.releases.push({ id: 9, tag: '1.2.3', draft: false, prerelease: false, notes: '' }),
      'release-not-published',
      'fail',
    ],
    ['tag at an unfinalized commit', (w) => w.tags.set('1.2.3', sha(2)), 'version-tag', 'fail'],
    [
      'rate-limited release lookup',
      (w) => w.failNext.set('release 1.2.3', Object.assign(new Error('slow down'), { code: 'RATE_LIMITED' })),
      'release-not-published',
      'pending',
    ],
  ];
  it.each(cases)('%s → %s %s, nothing is written', async (_name, mutate, id, status) => {
    const w = newWorld();
    mutate(w);
    const p = await plan(w);
    expect(failing(p)).toEqual([`${id}:${status}`]);
    expect(p.verdict).toBe(status);
    const again = newWorld();
    mutate(again);
    const err = await svc(again)
      .publish('1.2.3', { run })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseError);
    expect((err as ReleaseError).code).toBe('GATE_NOT_MET');
    expect(again.writes).toEqual([]);
  });

  it('refuses bad version input with a clear error', async () => {
    for (const v of ['1.2', 'v1.2.3', '01.2.3']) {
      await expect(plan(newWorld(), v)).rejects.toMatchObject({ code: 'INVALID_VERSION' });
    }
    await expect(plan(newWorld(), '1.2.3-rc1')).rejects.toThrow(/pass the base version 1\.2\.3/);
  });

  it('explains a failing check in words that say what to do', async () => {
    const w = newWorld();
    w.tags.delete('1.2.3-rc1');
    const p = await plan(w);
    expect(p.gates.find((c) => c.id === 'candidate-tag')?.reason).toContain(
      'release-cli publish 1.2.3 --candidate',
    );
  });
});

describe('publish execution', () => {
  it('finalizes through an API commit, tags that commit, drafts the release and dispatches the smoke test', async () => {
    const w = newWorld();
    const events: PublishExecutionEvent[] = [];
    const { result } = await svc(w).publish('1.2.3', { run, onEvent: (e) => events.push(e), holder: 'ci' });
    expect(result.status).toBe('succeeded');
    const finalizeSha = w.branches.get('release/1.2.3')!;
    expect(finalizeSha).not.toBe(sha(2));
    expect(w.writes).toEqual([
      'commit CHANGELOG.md chore: finalize release 1.2.3',
      `tag 1.2.3 ${finalizeSha}`,
      'draft 1.2.3',
      'dispatch acme/app-smoke 1.2.3',
    ]);
    expect(changelogAt(w, '1.2.3')).toContain(
      '## [1.2.3](https://github.com/acme/app/releases/tag/1.2.3) - 2026-11-27',
    );
    expect(changelogAt(w, '1.2.3')).not.toContain('## [1.2.3] - TBD');
    const rel = w.releases.find((r) => r.tag === '1.2.3')!;
    expect(rel).toMatchObject({ draft: true, prerelease: false });
    expect(rel.notes.startsWith('### Added')).toBe(true);
    expect(rel.notes).not.toContain('1.2.2');
    expect(w.dispatches).toEqual([
      {
        repository: 'acme/app-smoke',
        eventType: 'smoke-test-trigger',
        clientPayload: {
          tag: '1.2.3',
          release_kind: 'final',
          event_type: 'smoke-test-trigger',
          source_repo: 'acme/app',
          source_workflow: 'release-publish.yml',
          source_run_id: '123',
          source_run_url: 'https://github.com/acme/app/actions/runs/123',
          source_sha: finalizeSha,
          correlation_id: 'acme/app:123:1.2.3',
        },
      },
    ]);
    expect(result).toMatchObject({
      sha: finalizeSha,
      release: { url: 'https://github.com/acme/app/releases/tag/1.2.3' },
      correlationId: 'acme/app:123:1.2.3',
    });
    expect(events.map((e) => e.type)).toEqual([
      'lock-acquired',
      ...Array.from({ length: 4 }, () => ['step-started', 'step-succeeded']).flat(),
      'lock-released',
    ]);
    expect(w.lock).toBeNull();
    // latest is never looked at, let alone moved, by publish.
    expect(w.reads.some((r) => r.includes('latest'))).toBe(false);
  });

  it('resumes after a crash between finalize and tag: one finalize commit, the tag at it', async () => {
    const w = newWorld();
    w.failNext.set('create tag 1.2.3', Object.assign(new Error('runner lost'), { code: 'NETWORK' }));
    const first = await svc(w).publish('1.2.3', { run });
    expect(first.result.status).toBe('failed');
    expect(first.result.journal.map((j) => j.status)).toEqual(['done', 'failed']);
    const finalizeSha = w.branches.get('release/1.2.3')!;
    expect(w.tags.has('1.2.3')).toBe(false);

    const replanned = await plan(w);
    expect(replanned.verdict).toBe('pass');
    expect(replanned.gates.find((c) => c.id === 'changelog')?.reason).toContain('resuming');
    expect(replanned.steps.map((s) => s.done)).toEqual([true, false, false, false]);

    const second = await svc(w).publish('1.2.3', { run });
    expect(second.result.status).toBe('succeeded');
    expect(second.result.journal.map((j) => j.status)).toEqual(['skipped', 'done', 'done', 'done']);
    expect(w.tags.get('1.2.3')).toBe(finalizeSha);
    expect(w.writes.filter((x) => x.startsWith('commit'))).toHaveLength(1);
  });

  it('a re-run of a finished publish changes nothing, even after the branch moved on', async () => {
    const w = newWorld();
    await svc(w).publish('1.2.3', { run });
    w.smoke.set('1.2.3', 'draft');
    // A later commit on the release branch (the origin's sync-issues commit lands after finalize).
    const files = new Map(w.commits.get(w.branches.get('release/1.2.3')!)!);
    w.commits.set(sha(500), files);
    w.branches.set('release/1.2.3', sha(500));
    const writes = w.writes.length;
    const p = await plan(w);
    expect(p.verdict).toBe('pass');
    expect(p.steps.every((s) => s.done)).toBe(true);
    const { result } = await svc(w).publish('1.2.3', { run });
    expect(result.journal.map((j) => j.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(w.writes).toHaveLength(writes);
  });

  it('fails when the API commit silently committed nothing (the #455 check) and tags nothing', async () => {
    const w = newWorld();
    w.silentNoopCommits = true;
    const { result } = await svc(w).publish('1.2.3', { run });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain('still contains "## [1.2.3] - TBD"');
    expect(w.tags.has('1.2.3')).toBe(false);
    expect(w.releases.some((r) => r.tag === '1.2.3')).toBe(false);
    expect(w.dispatches).toEqual([]);
  });

  it('refuses to commit when the branch moved after the head was read', async () => {
    const w = newWorld();
    w.failNext.set(
      'commit CHANGELOG.md',
      Object.assign(new Error('release/1.2.3 moved'), { code: 'CONFLICT' }),
    );
    const { result } = await svc(w).publish('1.2.3', { run });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'CONFLICT' });
    expect(w.tags.has('1.2.3')).toBe(false);
  });

  it('treats a lost tag race as done only when the winner tagged the same commit', async () => {
    const w = newWorld();
    const ports = portsFor(w);
    const createTag = ports.forge.createTag.bind(ports.forge);
    ports.forge.createTag = async (tag, s, signal) => {
      await createTag(tag, s, signal);
      throw Object.assign(new Error('Reference already exists'), { code: 'CONFLICT' });
    };
    const { result } = await createPublishService(config, ports).publish('1.2.3', { run });
    expect(result.status).toBe('succeeded');

    const w2 = newWorld();
    const ports2 = portsFor(w2);
    ports2.forge.createTag = async (tag) => {
      w2.tags.set(tag, sha(77));
      throw Object.assign(new Error('Reference already exists'), { code: 'CONFLICT' });
    };
    const r2 = await createPublishService(config, ports2).publish('1.2.3', { run });
    expect(r2.result.status).toBe('failed');
    expect(r2.result.error?.message).toBe('Reference already exists');
  });

  it('fails when the tag appears at another commit between planning and tagging', async () => {
    const w = newWorld();
    const p = await plan(w);
    w.tags.set('1.2.3', sha(66));
    const { executePublish } = await import('./index.js');
    const r = await executePublish(config, p, portsFor(w));
    expect(r.status).toBe('failed');
    expect(r.error?.message).toMatch(/tags are never moved/);
  });

  it('waits out read-after-write lag on the new tag', async () => {
    const w = newWorld();
    const ports = portsFor(w);
    const createTag = ports.forge.createTag.bind(ports.forge);
    ports.forge.createTag = async (tag, s) => {
      await createTag(tag, s);
      w.tagLag = 2;
    };
    const { result } = await createPublishService(config, ports).publish('1.2.3', { run });
    expect(result.status).toBe('succeeded');
  });

  it('skips the dispatch when the downstream release already exists, and dispatches nothing without smoke config', async () => {
    const w = newWorld();
    w.smoke.set('1.2.3', 'prerelease');
    let p = await plan(w);
    expect(p.steps.at(-1)?.done).toBe(true);
    const noSmoke = parseConfig({ ...config, smoke: undefined });
    p = await svc(newWorld(), noSmoke).plan('1.2.3', { run });
    expect(p.steps.map((s) => s.step.kind)).toEqual([
      'finalize-changelog',
      'create-tag',
      'create-draft-release',
    ]);
  });

  it('refuses to run while another release run holds the lock', async () => {
    const w = newWorld();
    w.lock = { holder: 'alice@laptop', since: '2026-11-27T00:00:00Z' };
    await expect(svc(w).publish('1.2.3', { run })).rejects.toMatchObject({ code: 'LOCK_HELD' });
    expect(w.writes).toEqual([]);
  });

  it('uses the tag prefix for tags, links and the correlation id', async () => {
    const w = newWorld();
    w.tags = new Map([['v1.2.3-rc1', sha(2)]]);
    const c = parseConfig({ ...config, tagPrefix: 'v' });
    const { plan: p, result } = await svc(w, c).publish('1.2.3', { run });
    expect(p.correlationId).toBe('acme/app:123:v1.2.3');
    expect(result.status).toBe('succeeded');
    expect(changelogAt(w, 'v1.2.3')).toContain(
      '## [v1.2.3](https://github.com/acme/app/releases/tag/v1.2.3)',
    );
  });
});

describe('publish --candidate', () => {
  it('tags the next -rcN at the release branch head and dispatches a candidate smoke test', async () => {
    const w = newWorld();
    w.commits.set(sha(3), new Map(w.commits.get(sha(2))));
    w.branches.set('release/1.2.3', sha(3));
    const { plan: p, result } = await svc(w).publish('1.2.3', { run, candidate: true });
    expect(p.kind).toBe('candidate');
    expect(p.tag).toBe('1.2.3-rc2');
    expect(result.status).toBe('succeeded');
    expect(w.tags.get('1.2.3-rc2')).toBe(sha(3));
    expect(w.dispatches[0]?.clientPayload).toMatchObject({
      tag: '1.2.3-rc2',
      release_kind: 'candidate',
      correlation_id: 'acme/app:123:1.2.3-rc2',
      source_sha: sha(3),
    });
    // Candidates never finalize the CHANGELOG nor create a release.
    expect(w.writes.some((x) => x.startsWith('commit') || x.startsWith('draft'))).toBe(false);
  });

  it('resumes the newest candidate when it already marks the head instead of cutting another', async () => {
    const w = newWorld();
    const p = await plan(w, '1.2.3', true);
    expect(p.tag).toBe('1.2.3-rc1');
    expect(p.steps.map((s) => [s.step.kind, s.done])).toEqual([
      ['create-tag', true],
      ['dispatch-smoke', false],
    ]);
  });

  it('starts at rc1, allows a draft PR, and refuses malformed candidate tags', async () => {
    const w = newWorld();
    w.tags.delete('1.2.3-rc1');
    w.pr.draft = true;
    const p = await plan(w, '1.2.3', true);
    expect(p.verdict).toBe('pass');
    expect(p.tag).toBe('1.2.3-rc1');
    w.tags.set('1.2.3-rcX', sha(2));
    w.tags.set('1.2.3-rc007', sha(2));
    const bad = await plan(w, '1.2.3', true);
    expect(failing(bad)).toEqual(['candidate-tag:fail']);
    expect(bad.steps).toEqual([]);
  });

  it('refuses a candidate once the version is finalized', async () => {
    const w = newWorld();
    await svc(w).publish('1.2.3', { run });
    const p = await plan(w, '1.2.3', true);
    expect(failing(p)).toContain('changelog:fail');
  });
});

describe('publish in two halves around the CI build', () => {
  it('release stage writes no dispatch; smoke stage dispatches once images exist, even with CI re-running', async () => {
    const w = newWorld();
    const first = await svc(w).publish('1.2.3', { run, stage: 'release' });
    expect(first.plan.steps.map((s) => s.step.kind)).toEqual([
      'finalize-changelog',
      'create-tag',
      'create-draft-release',
    ]);
    expect(first.result.status).toBe('succeeded');
    expect(w.dispatches).toEqual([]);
    // The finalize commit re-triggers the PR's CI; announcing must not wait for it.
    w.pr.checks = 'pending';
    const second = await svc(w).publish('1.2.3', { run: { ...run, id: '124' }, stage: 'smoke' });
    expect(second.plan.gates.map((c) => `${c.id}:${c.status}`)).toEqual([
      'version:pass',
      'version-tag:pass',
      'release-not-published:pass',
      'smoke-configured:pass',
    ]);
    expect(second.result.status).toBe('succeeded');
    expect(w.dispatches).toHaveLength(1);
    expect(w.dispatches[0]?.clientPayload).toMatchObject({
      source_sha: w.tags.get('1.2.3'),
      correlation_id: 'acme/app:124:1.2.3',
    });
  });

  it('smoke stage refuses before the release half ran, and without a smoke repository', async () => {
    const p = await svc(newWorld()).plan('1.2.3', { run, stage: 'smoke' });
    expect(failing(p)).toEqual(['version-tag:fail', 'release-not-published:fail']);
    expect(p.steps).toEqual([]);
    const w = newWorld();
    const noSmoke = parseConfig({ ...config, smoke: undefined });
    await svc(w, noSmoke).publish('1.2.3', { run, stage: 'release' });
    const q = await svc(w, noSmoke).plan('1.2.3', { run, stage: 'smoke' });
    expect(failing(q)).toEqual(['smoke-configured:fail']);
  });

  it('candidate halves: tag the next RC, then announce that same RC', async () => {
    const w = newWorld();
    w.commits.set(sha(3), new Map(w.commits.get(sha(2))));
    w.branches.set('release/1.2.3', sha(3));
    const first = await svc(w).publish('1.2.3', { run, candidate: true, stage: 'release' });
    expect(first.plan.tag).toBe('1.2.3-rc2');
    expect(w.dispatches).toEqual([]);
    const second = await svc(w).publish('1.2.3', { run, candidate: true, stage: 'smoke' });
    expect(second.plan.tag).toBe('1.2.3-rc2');
    expect(w.dispatches[0]?.clientPayload).toMatchObject({
      tag: '1.2.3-rc2',
      release_kind: 'candidate',
      source_sha: sha(3),
    });
  });
});

describe('the finalize stage and --built-from (a final release built from its finalize commit)', () => {
  it('finalize stage: every gate, then only the finalize commit (no tag, no draft, no dispatch); a no-op once dated', async () => {
    const w = newWorld();
    const first = await svc(w).publish('1.2.3', { run, stage: 'finalize' });
    expect(first.plan.stage).toBe('finalize');
    expect(first.plan.gates.map((g) => g.id)).toEqual([
      'version',
      'release-branch',
      'candidate-tag',
      'changelog',
      'pr-open',
      'pr-not-draft',
      'pr-checks',
      'release-not-published',
      'version-tag',
    ]);
    expect(first.plan.steps.map((s) => s.step.kind)).toEqual(['finalize-changelog']);
    expect(first.result.status).toBe('succeeded');
    const finalized = w.branches.get('release/1.2.3')!;
    expect(finalized).not.toBe(sha(2));
    expect(first.result.sha).toBe(finalized);
    expect(changelogAt(w, 'release/1.2.3')).toMatch(/## \[1\.2\.3\].* - 2026-11-27/);
    expect(w.tags.has('1.2.3')).toBe(false);
    expect(w.releases.map((r) => r.tag)).toEqual(['1.2.2']);
    expect(w.dispatches).toEqual([]);
    const again = await svc(w).plan('1.2.3', { run, stage: 'finalize' });
    expect(again.verdict).toBe('pass');
    expect(again.steps.map((s) => s.done)).toEqual([true]);
  });

  it('a candidate has no finalize stage', async () => {
    const p = await svc(newWorld()).plan('1.2.3', { run, candidate: true, stage: 'finalize' });
    expect(failing(p)).toEqual(['version:fail']);
    expect(p.steps).toEqual([]);
  });

  it('built-from: refuses to tag a finalize commit this run did not build, naming both commits and the fix', async () => {
    const w = newWorld();
    // The run built the head (CHANGELOG: TBD): the tag would go on a new finalize commit.
    const p = await svc(w).plan('1.2.3', { run, stage: 'release', builtFrom: sha(2) });
    expect(failing(p)).toEqual(['built-from:fail']);
    const reason = p.gates.find((g) => g.id === 'built-from')!.reason;
    expect(reason).toContain(sha(2));
    expect(reason).toContain('--stage finalize');
    expect(reason).toContain('dispatch the publish workflow again on release/1.2.3 after the finalize run');
    const r = await svc(w)
      .publish('1.2.3', { run, stage: 'release', builtFrom: sha(2) })
      .catch((e) => e);
    expect(r).toBeInstanceOf(ReleaseError);
    expect((r as ReleaseError).code).toBe('GATE_NOT_MET');
    expect(w.branches.get('release/1.2.3')).toBe(sha(2));
    // After the finalize run: a run built from the finalize commit tags exactly that commit.
    await svc(w).publish('1.2.3', { run, stage: 'finalize' });
    const f = w.branches.get('release/1.2.3')!;
    const stale = await svc(w).plan('1.2.3', { run, stage: 'release', builtFrom: sha(2) });
    expect(failing(stale)).toEqual(['built-from:fail']);
    const staleReason = stale.gates.find((g) => g.id === 'built-from')!.reason;
    expect(staleReason).toContain(f);
    expect(staleReason).toContain(sha(2));
    const ok = await svc(w).publish('1.2.3', { run, stage: 'release', builtFrom: f });
    expect(ok.plan.gates.find((g) => g.id === 'built-from')?.status).toBe('pass');
    expect(ok.result.status).toBe('succeeded');
    expect(w.tags.get('1.2.3')).toBe(f);
  });

  it('built-from with mirrors: a dated head that still needs a commit is refused by the executor, not committed', async () => {
    const w = newWorld();
    const mirrored = parseConfig({ ...config, changelogMirrors: ['docs/CHANGELOG.md'] });
    await svc(w).publish('1.2.3', { run, stage: 'finalize' });
    const f = w.branches.get('release/1.2.3')!;
    const r = await svc(w, mirrored).publish('1.2.3', { run, stage: 'release', builtFrom: f });
    expect(r.result.status).toBe('failed');
    expect(r.result.error?.code).toBe('GATE_NOT_MET');
    expect(r.result.error?.message).toContain('after the finalize run');
    expect(w.branches.get('release/1.2.3')).toBe(f);
    expect(w.tags.has('1.2.3')).toBe(false);
  });

  it('built-from on a candidate: the head must be the commit the run built', async () => {
    const w = newWorld();
    w.commits.set(sha(3), new Map(w.commits.get(sha(2))));
    w.branches.set('release/1.2.3', sha(3));
    const p = await svc(w).plan('1.2.3', { run, candidate: true, stage: 'release', builtFrom: sha(2) });
    expect(failing(p)).toEqual(['built-from:fail']);
    const q = await svc(w).plan('1.2.3', { run, candidate: true, stage: 'release', builtFrom: sha(3) });
    expect(q.verdict).toBe('pass');
  });
});

describe('verify-publish', () => {
  it('passes for a signed multi-arch X.Y.Z and reports its digest, never reading latest', async () => {
    const w = newWorld();
    const v = await svc(w).verify('1.2.3');
    expect(v.verdict).toBe('pass');
    expect(v.gates.map((g) => g.id)).toEqual([
      'version',
      'image-present',
      'image-platforms',
      'image-signature',
    ]);
    expect(v.digests).toEqual([{ image: 'ghcr.io/acme/app', digest: `sha256:${'a'.repeat(64)}` }]);
    expect(w.reads.filter((r) => r.startsWith('manifest'))).toEqual(['manifest ghcr.io/acme/app:1.2.3']);
  });

  it('fails for a missing platform, an unsigned index and a missing image; pending when lookup fails', async () => {
    const w = newWorld();
    w.images.get('ghcr.io/acme/app:1.2.3')!.platforms = ['amd64'];
    let v = await svc(w).verify('1.2.3');
    expect(v.gates.filter((g) => g.status !== 'pass').map((g) => g.id)).toEqual(['image-platforms']);
    w.signed.clear();
    v = await svc(w).verify('1.2.3');
    expect(v.gates.find((g) => g.id === 'image-signature')?.status).toBe('fail');
    w.failNext.set(
      `verify sha256:${'a'.repeat(64)}`,
      Object.assign(new Error('429'), { code: 'RATE_LIMITED' }),
    );
    v = await svc(w).verify('1.2.3');
    expect(v.gates.find((g) => g.id === 'image-signature')?.status).toBe('pending');
    v = await svc(w).verify('1.2.4');
    expect(v.verdict).toBe('fail');
    expect(v.gates.find((g) => g.id === 'image-present')?.reason).toContain('not in the registry');
  });

  it('checks candidates too, and refuses a config without images', async () => {
    const w = newWorld();
    w.images.set('ghcr.io/acme/app:1.2.3-rc2', {
      digest: `sha256:${'a'.repeat(64)}`,
      platforms: ['amd64', 'arm64'],
    });
    expect((await svc(w).verify('1.2.3-rc2')).verdict).toBe('pass');
    const bare = parseConfig({ repository: 'acme/app' });
    await expect(svc(w, bare).verify('1.2.3')).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});

describe("with core's CHANGELOG engine on the origin's real CHANGELOGs", () => {
  it.each(finalizeCases().map((c) => [c.version, c] as const))(
    "%s: the tagged CHANGELOG is the origin's finalized file byte for byte; notes have no heading",
    async (_v, c) => {
      const w = newWorld();
      w.branches.set(`release/${c.version}`, sha(40));
      w.commits.set(sha(40), new Map([['CHANGELOG.md', c.before]]));
      w.tags = new Map([[`${c.version}-rc1`, sha(40)]]);
      // acme/app's release workflow signs for the origin's repository here (identity-policy.ts)
      const signing = { ...config.signing!, trustedSigners: ['acme/app'] };
      const cfg = parseConfig({ ...config, repository: c.repository, smoke: undefined, signing });
      const ports = { ...portsFor(w), changelog: undefined };
      const { plan: p, result } = await createPublishService(cfg, ports).publish(c.version, {
        run,
        date: c.date,
      });
      expect(p.verdict).toBe('pass');
      expect(result.status).toBe('succeeded');
      expect(changelogAt(w, c.version)).toBe(c.after);
      const notes = w.releases.find((r) => r.tag === c.version)!.notes;
      expect(notes.length).toBeGreaterThan(0);
      expect(notes).not.toMatch(/^## \[/m);
      // A re-run is a no-op: the engine reads the finalized heading as done.
      const again = await createPublishService(cfg, ports).plan(c.version, { run });
      expect(again.steps.every((st) => st.done)).toBe(true);
    },
  );
});

describe('changelog stand-in', () => {
  it('agrees with the origin grep: finalized text has no TBD for the version', () => {
    const out = changelogOps.finalize(FROZEN, {
      version: '1.2.3',
      date: '2026-11-27',
      repository: 'acme/app',
      tagPrefix: '',
    });
    expect(changelogOps.sectionState(out, '1.2.3')).toBe('dated');
    expect(out).not.toContain('## [1.2.3] - TBD');
  });
});
