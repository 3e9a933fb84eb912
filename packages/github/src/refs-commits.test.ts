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

describe('the lock ref refs/relkit-locks/<name>: one conditional write per state', () => {
  const held = (holder: string) => JSON.stringify({ status: 'held', holder });

  it('creates the ref when absent; a second create is refused (written: false), not an error', async () => {
    const a = forgeFor(t.sim);
    const first = await a.writeLock(REPO, 'release', undefined, held('run-1'));
    expect(first).toMatchObject({ written: true });
    expect(await forgeFor(t.sim).writeLock(REPO, 'release', undefined, held('run-2'))).toEqual({
      written: false,
    });
    expect(await a.readLock(REPO, 'release')).toEqual({
      name: 'release',
      ref: 'refs/relkit-locks/release',
      sha: first.written ? first.sha : '',
      record: held('run-1'),
    });
  });

  it('two clients racing from the same observed state: exactly one write lands', async () => {
    const a = forgeFor(t.sim);
    const b = forgeFor(t.sim);
    const base = await a.writeLock(REPO, 'release', undefined, held('old'));
    if (!base.written) throw new Error('unreachable');
    const results = await Promise.all([
      a.writeLock(REPO, 'release', base.sha, held('a')),
      b.writeLock(REPO, 'release', base.sha, held('b')),
    ]);
    const won = results.filter((r) => r.written);
    expect(won).toHaveLength(1);
    const winner = won[0]!;
    expect(t.sim.refSha(R, 'refs/relkit-locks/release')).toBe(winner.written ? winner.sha : '');
  });

  it('a write over a state someone else moved (a release by a non-holder) changes nothing', async () => {
    const forge = forgeFor(t.sim);
    const mine = await forge.writeLock(REPO, 'release', undefined, held('crashed'));
    const theirs = await forge.writeLock(REPO, 'release', mine.written ? mine.sha : '', held('next'));
    if (!mine.written || !theirs.written) throw new Error('unreachable');
    expect(await forge.writeLock(REPO, 'release', mine.sha, '{"status":"released"}')).toEqual({
      written: false,
    });
    expect(t.sim.refSha(R, 'refs/relkit-locks/release')).toBe(theirs.sha);
    expect((await forge.readLock(REPO, 'release'))?.record).toBe(held('next'));
  });

  it('the ref only moves forward: each state is a commit whose parent is the state before', async () => {
    const forge = forgeFor(t.sim);
    const one = await forge.writeLock(REPO, 'release', undefined, held('a'));
    const two = await forge.writeLock(REPO, 'release', one.written ? one.sha : '', '{"status":"released"}');
    if (!one.written || !two.written) throw new Error('unreachable');
    const patches = t.sim.requests.filter((q) => q.method === 'PATCH');
    expect(patches.every((q) => (q.body as { force?: boolean }).force === false)).toBe(true);
    expect(t.sim.requests.some((q) => q.method === 'DELETE')).toBe(false);
    expect(t.sim.commitInfo(R, two.sha)?.parents).toEqual([one.sha]);
  });

  it('a ref relkit did not write reads with an empty record (core holds it closed)', async () => {
    t.sim.setRef(R, 'refs/relkit-locks/promote', t.main);
    expect(await forgeFor(t.sim).readLock(REPO, 'promote')).toMatchObject({ sha: t.main, record: '' });
  });

  it('refuses a lock name that is not a plain word', async () => {
    expect((await rejection(forgeFor(t.sim).readLock(REPO, '../heads/main'))).code).toBe('INVALID_INPUT');
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
