import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { forgeFor, R, REPO, useSimulator } from './__tests__/support.js';
import { rejectionOf } from '@relkit/testkit';

const t = useSimulator();

const rejection = (p: Promise<unknown>) => rejectionOf(p, GitHubError);

describe('tags and refs', () => {
  it('creates a lightweight tag at a SHA; again at the same SHA is success', async () => {
    const forge = forgeFor(t.sim);
    expect(await forge.createTag(REPO, '1.2.3', t.main)).toEqual({
      outcome: 'created',
      tag: '1.2.3',
      sha: t.main,
    });
    expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBe(t.main);
    expect(await forge.createTag(REPO, '1.2.3', t.main)).toEqual({
      outcome: 'exists',
      tag: '1.2.3',
      sha: t.main,
    });
  });

  it('a race lost to the same SHA is success; to another SHA it is an error', async () => {
    const other = t.sim.commit(R, 'main', { 'x.txt': 'x' });
    const forge = forgeFor(t.sim);
    // Another job created the tag between our decision and our POST: GitHub answers 422.
    t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
    expect((await forge.createTag(REPO, '1.2.3', t.main)).outcome).toBe('exists');
    const e = await rejection(forge.createTag(REPO, '1.2.3', other));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/already points at/);
    expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBe(t.main);
    expect(
      t.sim.requests
        .filter((q) => q.operation === 'POST /repos/{owner}/{repo}/git/refs')
        .map((q) => q.status),
    ).toEqual([422, 422]);
  });

  it('#617: polls a ref until it reads back what was written', async () => {
    t.sim.refReadLag(R, 3);
    const forge = forgeFor(t.sim);
    const moved = t.sim.commit(R, 'main', { 'y.txt': 'y' });
    await forge.createRef(REPO, 'refs/heads/feature', moved);
    const reads = t.sim.requests.filter((q) => q.operation === 'GET /repos/{owner}/{repo}/git/ref/{ref}');
    expect(reads.map((q) => q.status)).toEqual([404, 404, 404, 200]);
  });

  it('creates and deletes plain refs, guarded by the expected SHA, and never deletes a tag', async () => {
    const forge = forgeFor(t.sim);
    expect(await forge.createRef(REPO, 'refs/heads/tmp', t.main)).toEqual({
      created: true,
      ref: 'refs/heads/tmp',
      sha: t.main,
    });
    expect(await forge.createRef(REPO, 'refs/heads/tmp', t.main)).toEqual({
      created: false,
      ref: 'refs/heads/tmp',
      sha: t.main,
    });
    const other = t.sim.commit(R, 'other', { 'z.txt': 'z' });
    expect((await rejection(forge.deleteRef(REPO, 'heads/tmp', { expectedSha: other }))).code).toBe(
      'CONFLICT',
    );
    expect(await forge.deleteRef(REPO, 'heads/tmp', { expectedSha: t.main })).toEqual({ deleted: true });
    expect(await forge.deleteRef(REPO, 'heads/tmp')).toEqual({ deleted: false });
    await forge.createTag(REPO, '1.2.3', t.main);
    expect((await rejection(forge.deleteRef(REPO, 'refs/tags/1.2.3'))).code).toBe('INVALID_INPUT');
    expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBe(t.main);
  });
});

describe('locks as refs/relkit-locks/<name>', () => {
  it('only one holder at a time; the lock says who holds it until when', async () => {
    const a = forgeFor(t.sim);
    const b = forgeFor(t.sim);
    const now = new Date('2026-03-27T10:00:00Z');
    const first = await a.acquireLock(REPO, 'promote', { holder: 'run-1', ttlMs: 600_000, now });
    expect(first).toMatchObject({
      acquired: true,
      tookOverExpired: false,
      lock: { holder: 'run-1', expiresAt: '2026-03-27T10:10:00.000Z' },
    });
    expect(t.sim.refSha(R, 'refs/relkit-locks/promote')).toBeDefined();
    const second = await b.acquireLock(REPO, 'promote', { holder: 'run-2', ttlMs: 600_000, now });
    expect(second).toMatchObject({ acquired: false, heldBy: { holder: 'run-1' } });
    if (!first.acquired) throw new Error('unreachable');
    expect(await a.releaseLock(REPO, first.lock)).toEqual({ released: true });
    expect(await b.readLock(REPO, 'promote')).toBeUndefined();
    expect((await b.acquireLock(REPO, 'promote', { holder: 'run-2', ttlMs: 600_000, now })).acquired).toBe(
      true,
    );
  });

  it('an expired lock is taken over; its old holder can no longer release the new one', async () => {
    const a = forgeFor(t.sim);
    const b = forgeFor(t.sim);
    const old = await a.acquireLock(REPO, 'promote', {
      holder: 'crashed',
      ttlMs: 1000,
      now: new Date('2026-03-27T10:00:00Z'),
    });
    const taken = await b.acquireLock(REPO, 'promote', {
      holder: 'run-2',
      ttlMs: 1000,
      now: new Date('2026-03-27T11:00:00Z'),
    });
    expect(taken).toMatchObject({ acquired: true, tookOverExpired: true });
    if (!old.acquired) throw new Error('unreachable');
    expect(await a.releaseLock(REPO, old.lock)).toEqual({ released: false });
    expect((await b.readLock(REPO, 'promote'))?.holder).toBe('run-2');
  });

  it('a ref relkit did not write counts as held (fail closed)', async () => {
    t.sim.setRef(R, 'refs/relkit-locks/promote', t.main);
    const r = await forgeFor(t.sim).acquireLock(REPO, 'promote', { holder: 'me', ttlMs: 1000 });
    expect(r).toMatchObject({ acquired: false, heldBy: { holder: expect.stringMatching(/unknown/) } });
  });
});

describe('committing a file through the API', () => {
  const finalized =
    '# Changelog\n\n## [1.2.3](https://github.com/acme/app/releases/tag/1.2.3) - 2026-03-27\n\n### Added\n\n- x\n';

  it('commits, reads back the content at the returned commit, and a re-run is a no-op', async () => {
    t.sim.commit(R, 'release/1.2.3', {}, 'branch');
    const forge = forgeFor(t.sim);
    const r = await forge.commitFile(REPO, {
      branch: 'release/1.2.3',
      path: 'CHANGELOG.md',
      content: finalized,
      message: 'chore: finalize release 1.2.3',
    });
    expect(r.outcome).toBe('committed');
    expect(t.sim.branchSha(R, 'release/1.2.3')).toBe(r.commitSha);
    expect(t.sim.readFile(R, r.commitSha, 'CHANGELOG.md')).toBe(finalized);
    expect(t.sim.commitInfo(R, r.commitSha)?.message).toBe('chore: finalize release 1.2.3');
    const again = await forge.commitFile(REPO, {
      branch: 'release/1.2.3',
      path: 'CHANGELOG.md',
      content: finalized,
      message: 'x',
    });
    expect(again).toEqual({ outcome: 'unchanged', commitSha: r.commitSha, blobSha: r.blobSha });
  });

  it('creates a file that did not exist', async () => {
    const r = await forgeFor(t.sim).commitFile(REPO, {
      branch: 'main',
      path: 'docs/new.md',
      content: 'hi\n',
      message: 'add',
    });
    expect(t.sim.readFile(R, r.commitSha, 'docs/new.md')).toBe('hi\n');
  });

  it('#455: an API commit that "succeeds" but leaves the file as it was fails loudly', async () => {
    t.sim.silentNoOpCommits(R, true);
    const e = await rejection(
      forgeFor(t.sim).commitFile(REPO, {
        branch: 'main',
        path: 'CHANGELOG.md',
        content: finalized,
        message: 'chore: finalize release 1.2.3',
      }),
    );
    expect(e.code).toBe('VERIFICATION_FAILED');
    expect(e.message).toMatch(/silent no-op/);
    expect(e.advice).toMatch(/do not build or tag/);
    expect(t.sim.readFile(R, 'main', 'CHANGELOG.md')).toMatch(/- TBD/);
  });

  it('#617: waits for the branch to show the new commit before reading back', async () => {
    t.sim.refReadLag(R, 2);
    const r = await forgeFor(t.sim).commitFile(REPO, {
      branch: 'main',
      path: 'CHANGELOG.md',
      content: finalized,
      message: 'm',
    });
    expect(r.outcome).toBe('committed');
    const reads = t.sim.requests.filter((q) => q.operation === 'GET /repos/{owner}/{repo}/git/ref/{ref}');
    expect(reads.length).toBe(3);
  });

  it('fails when the branch never shows the returned commit', async () => {
    t.sim.refReadLag(R, 100);
    const e = await rejection(
      forgeFor(t.sim, { readBackAttempts: 3 }).commitFile(REPO, {
        branch: 'main',
        path: 'CHANGELOG.md',
        content: finalized,
        message: 'm',
      }),
    );
    expect(e.code).toBe('VERIFICATION_FAILED');
    expect(e.message).toMatch(/not at the commit/);
  });

  it('names a missing branch', async () => {
    const e = await rejection(
      forgeFor(t.sim).commitFile(REPO, { branch: 'nope', path: 'CHANGELOG.md', content: 'x', message: 'm' }),
    );
    expect(e.code).toBe('NOT_FOUND');
  });
});
