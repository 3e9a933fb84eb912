import {
  acquireReleaseLock,
  acquireReleaseLockAndObserve,
  asObservationError,
  execute,
  unlockRelease,
  viewLock,
  type HeldLock,
  observeRelease,
  parseConfig,
  parseVersion,
  planAbandon,
  type ForgePort,
  type ReleasePorts,
} from '@relkit/release-core';
import { startFaultProxy, type FaultProxy, rejectionOf } from '@relkit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { GitHubForge } from './forge.js';
import { forgePort, type ForgePortOptions } from './release-port.js';
import { FAST, forgeFor, R, REPO, S, SMOKE, useSimulator } from './__tests__/support.js';

const t = useSimulator();
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

const rejection = (p: Promise<unknown>) => rejectionOf(p, GitHubError);

function portFor(options: Partial<ForgePortOptions> = {}, forge: GitHubForge = forgeFor(t.sim)): ForgePort {
  return forgePort(forge, {
    repository: REPO,
    smoke: { repository: SMOKE, rule: 'published' },
    ...options,
  });
}

/** A release PR that passes every gate: approved, CI green, mergeable. */
function readyPull(version = '1.2.3'): { number: number; head: string } {
  const branch = `release/${version}`;
  const number = t.sim.openPull(R, { head: branch, base: 'main' });
  const head = t.sim.commit(R, branch, { 'CHANGELOG.md': `## [${version}] - 2026-03-27\n` }, 'finalize');
  t.sim.review(R, number, 'alice', 'APPROVED');
  t.sim.addCheckRun(R, head, { name: 'build' });
  t.sim.addStatus(R, head, { context: 'pre-commit', state: 'success' });
  return { number, head };
}

describe('forgePort: releases', () => {
  it('observes a release by tag: missing, draft (listed, not by tag), published', async () => {
    const port = portFor();
    expect(await port.observeRelease('1.2.3')).toEqual({ state: 'missing' });
    const id = t.sim.seedRelease(R, { tag: '1.2.3', draft: true, prerelease: false });
    expect(await port.observeRelease('1.2.3')).toMatchObject({
      state: 'draft',
      id,
      tag: '1.2.3',
      prerelease: false,
    });
    const rc = t.sim.seedRelease(R, { tag: '1.2.4-rc1', prerelease: true });
    const published = await port.observeRelease('1.2.4-rc1');
    expect(published).toMatchObject({ state: 'published', id: rc, prerelease: true });
    expect(published.state === 'published' && published.url).toMatch(/\/releases\/tag\/1\.2\.4-rc1$/);
  });

  it('#517: a token that cannot see drafts throws (could not look), never reports missing', async () => {
    t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    t.sim.seedRelease(R, { tag: '1.2.2' });
    const port = portFor({}, forgeFor(t.sim, { token: t.sim.readToken }));
    const e = await rejection(port.observeRelease('1.2.3'));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toMatch(/a draft may exist/);
    expect(e.message).toMatch(/push access/);
    expect(asObservationError(e)).toMatchObject({ state: 'error', code: 'FORBIDDEN' });
    // A published release is visible to everyone: that is a real answer.
    expect(await port.observeRelease('1.2.2')).toMatchObject({ state: 'published' });
  });

  it('a GitHub answering 5xx is an error, not "no release"', async () => {
    proxy = await startFaultProxy(t.sim.url);
    proxy.addRule({
      match: /^GET .*\/releases/,
      fault: { kind: 'status', status: 503, body: '{"message":"Service Unavailable"}' },
    });
    const port = portFor(
      {},
      new GitHubForge({ token: t.sim.pushToken, baseUrl: proxy.url, ...FAST, retries: 1 }),
    );
    const e = await rejection(port.observeRelease('1.2.3'));
    expect(e).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect(asObservationError(e)).toMatchObject({ state: 'error', code: 'UNAVAILABLE' });
    const s = await rejection(port.observeSmoke('1.2.3'));
    expect(s.code).toBe('UNAVAILABLE');
  });

  it('publishes by the id the engine just observed: a PATCH and a read-back (which reports an id of another tag)', async () => {
    const port = portFor();
    const id = t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    const other = t.sim.seedRelease(R, { tag: '1.2.4', draft: true });
    const before = t.sim.requests.length;
    expect(await port.publishRelease('1.2.3', { makeLatest: true, id })).toMatchObject({
      state: 'published',
      id,
    });
    const made = t.sim.requests.slice(before).map((q) => `${q.method} ${q.path.replace(/\?.*$/, '')}`);
    expect(made).toEqual([`PATCH /repos/${R}/releases/${id}`, `GET /repos/${R}/releases/${id}`]);
    const e = await rejection(port.publishRelease('1.2.5', { makeLatest: true, id: other }));
    expect(e.code).toBe('VERIFICATION_FAILED');
  });

  it('publishes the draft with an explicit make_latest, returns the published release, re-run is a no-op', async () => {
    t.sim.createRepo('acme/other');
    const port = portFor();
    const id = t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    const r = await port.publishRelease('1.2.3', { makeLatest: true });
    expect(r).toMatchObject({ state: 'published', id, tag: '1.2.3' });
    expect(t.sim.releases(R)[0]).toMatchObject({ draft: false, makeLatest: 'true' });
    expect(await port.publishRelease('1.2.3', { makeLatest: true })).toMatchObject({
      state: 'published',
      id,
    });
    expect(t.sim.releases(R).filter((x) => x.tag === '1.2.3')).toHaveLength(1);

    t.sim.seedRelease(R, { tag: '1.1.9', draft: true });
    await port.publishRelease('1.1.9', { makeLatest: false });
    expect(t.sim.releases(R).find((x) => x.tag === '1.1.9')).toMatchObject({
      draft: false,
      makeLatest: 'false',
    });
  });

  it('deletes a draft release, absent is done, and refuses a published one', async () => {
    const port = portFor();
    t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    await port.deleteDraftRelease('1.2.3');
    expect(t.sim.releases(R)).toHaveLength(0);
    await port.deleteDraftRelease('1.2.3');
    t.sim.seedRelease(R, { tag: '1.2.2' });
    const e = await rejection(port.deleteDraftRelease('1.2.2'));
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(t.sim.releases(R)).toHaveLength(1);
  });
});

describe('forgePort: smoke signal', () => {
  it('reports precisely what the downstream release is, whatever the rule', async () => {
    const port = portFor(); // rule: published
    expect(await port.observeSmoke('1.2.3')).toEqual({ state: 'missing', repository: S, tag: '1.2.3' });
    const id = t.sim.seedRelease(S, { tag: '1.2.3', draft: true });
    expect(await port.observeSmoke('1.2.3')).toMatchObject({ state: 'draft', repository: S, tag: '1.2.3' });
    t.sim.deleteRelease(S, id);
    t.sim.seedRelease(S, { tag: '1.2.3', prerelease: true });
    // Under rule 'published' a pre-release does not pass, but core decides that: report it as it is.
    const pre = await portFor({ smoke: { repository: SMOKE, rule: 'published' } }).observeSmoke('1.2.3');
    expect(pre).toMatchObject({ state: 'prerelease', repository: S, tag: '1.2.3' });
    expect(pre.state === 'prerelease' && pre.url).toMatch(/app-smoke-test\/releases\/tag\/1\.2\.3$/);
    t.sim.seedRelease(S, { tag: '1.2.4' });
    expect(
      await portFor({ smoke: { repository: SMOKE, rule: 'prerelease' } }).observeSmoke('1.2.4'),
    ).toMatchObject({ state: 'published' });
  });

  it('without a smoke repository the signal is not configured (and GitHub is not asked)', async () => {
    const port = forgePort(forgeFor(t.sim), { repository: REPO });
    expect(await port.observeSmoke('1.2.3')).toEqual({ state: 'not-configured' });
    expect(t.sim.requests).toHaveLength(0);
  });
});

describe('forgePort: tags and branches', () => {
  it('observes a tag and lists tags by prefix (only that prefix)', async () => {
    const port = portFor();
    expect(await port.observeTag('1.2.3')).toEqual({ state: 'missing', tag: '1.2.3' });
    expect(await port.listTags('1.2.3-rc')).toEqual([]);
    for (const tag of ['1.2.3-rc1', '1.2.3-rc2', '1.2.3-rc10', '1.2.30', '1.2.3', 'v1.2.3-rc1'])
      t.sim.setRef(R, `refs/tags/${tag}`, t.main);
    t.sim.setRef(R, 'refs/heads/1.2.3-rc9', t.main); // a branch is not a tag
    expect(await port.observeTag('1.2.3')).toEqual({ state: 'found', tag: '1.2.3', sha: t.main });
    expect([...(await port.listTags('1.2.3-rc'))].sort()).toEqual(['1.2.3-rc1', '1.2.3-rc10', '1.2.3-rc2']);
    expect(await port.listTags('')).toHaveLength(6);
  });

  it('abandon guard: deletes a tag with no release; absent is done', async () => {
    const port = portFor();
    t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
    await port.deleteTag('1.2.3');
    expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBeUndefined();
    await port.deleteTag('1.2.3');
  });

  it('abandon guard: never deletes a tag that has a published or a draft release', async () => {
    const port = portFor();
    t.sim.seedRelease(R, { tag: '1.2.2' }); // published: creates the tag
    const before = t.sim.refSha(R, 'refs/tags/1.2.2');
    const e = await rejection(port.deleteTag('1.2.2'));
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(e.message).toMatch(/published release/);
    expect(t.sim.refSha(R, 'refs/tags/1.2.2')).toBe(before);

    t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
    t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    const d = await rejection(port.deleteTag('1.2.3'));
    expect(d.code).toBe('PRECONDITION_FAILED');
    expect(d.advice).toMatch(/draft release first/);
    expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBe(t.main);
    expect(t.sim.requests.some((q) => q.method === 'DELETE')).toBe(false);
  });

  it('abandon guard: a token that cannot see drafts does not delete a tag (a draft may exist)', async () => {
    t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
    t.sim.seedRelease(R, { tag: '1.2.3', draft: true });
    const port = portFor({}, forgeFor(t.sim, { token: t.sim.readToken }));
    const e = await rejection(port.deleteTag('1.2.3'));
    expect(e.code).toBe('FORBIDDEN');
    expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBe(t.main);
  });

  it('GitHubForge.deleteRef still refuses tags: only the guarded method deletes one', async () => {
    t.sim.setRef(R, 'refs/tags/1.2.3', t.main);
    const e = await rejection(forgeFor(t.sim).deleteRef(REPO, 'refs/tags/1.2.3'));
    expect(e.code).toBe('INVALID_INPUT');
    expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBe(t.main);
  });

  it('deletes a branch; absent is done', async () => {
    const port = portFor();
    t.sim.commit(R, 'release/1.2.3', { 'a.txt': 'a' });
    await port.deleteBranch('release/1.2.3');
    expect(t.sim.branchSha(R, 'release/1.2.3')).toBeUndefined();
    await port.deleteBranch('release/1.2.3');
    expect(t.sim.branchSha(R, 'main')).toBe(t.main);
  });
});

describe('forgePort: release pull request', () => {
  it('missing when none exists; an open one with approval, latest check per name, mergeability', async () => {
    const port = portFor();
    expect(await port.observePullRequest('release/1.2.3', 'main')).toEqual({
      state: 'missing',
      head: 'release/1.2.3',
      base: 'main',
    });
    const { number, head } = readyPull();
    // An older failed run of "build" is superseded by the newer green one; "lint" is still running.
    t.sim.addCheckRun(R, head, { name: 'build', conclusion: 'failure', startedAt: '2026-03-27T09:00:00Z' });
    t.sim.addCheckRun(R, head, { name: 'lint', status: 'in_progress' });
    const pr = await port.observePullRequest('release/1.2.3', 'main');
    expect(pr).toMatchObject({
      state: 'open',
      number,
      head: 'release/1.2.3',
      base: 'main',
      headSha: head,
      draft: false,
      approved: true,
      mergeable: 'clean',
    });
    if (pr.state !== 'open') throw new Error('expected open');
    expect(pr.mergeCommitSha).toBeUndefined();
    expect(pr.url).toMatch(new RegExp(`/pull/${number}$`));
    expect([...pr.checks].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'build', state: 'success', url: expect.stringMatching(/^http/) as string },
      { name: 'lint', state: 'pending', url: expect.stringMatching(/^http/) as string },
      { name: 'pre-commit', state: 'success', url: undefined },
    ]);
  });

  it('maps GitHub’s mergeable_state: behind, blocked, dirty, unstable, draft', async () => {
    const port = portFor();
    const { number } = readyPull();
    for (const state of ['behind', 'blocked', 'dirty', 'unstable', 'has_hooks'] as const) {
      t.sim.setMergeState(R, number, state, 0);
      expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({ mergeable: state });
    }
    t.sim.setMergeState(R, number, 'clean', 0);
    t.sim.setPullDraft(R, number, true);
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({
      draft: true,
      mergeable: 'draft',
    });
  });

  it('unapproved and changes-requested PRs read as not approved', async () => {
    const port = portFor();
    t.sim.requireApprovals(R, 1);
    const number = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({ approved: false });
    t.sim.review(R, number, 'bob', 'CHANGES_REQUESTED');
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({ approved: false });
  });

  it('merges with the sha guard and then observes merged with the merge commit, also after the branch is gone', async () => {
    const port = portFor();
    const { number, head } = readyPull();
    const { sha } = await port.mergePullRequest(number, { sha: head, method: 'squash' });
    expect(t.sim.pull(R, number)).toMatchObject({ merged: true, mergeMethod: 'squash', mergeCommitSha: sha });
    expect(t.sim.branchSha(R, 'main')).toBe(sha);
    const merged = await port.observePullRequest('release/1.2.3', 'main');
    expect(merged).toMatchObject({ state: 'merged', number, headSha: head, mergeCommitSha: sha });
    // A resumed promote merges again: already merged is done, same merge commit.
    expect(await port.mergePullRequest(number, { sha: head, method: 'squash' })).toEqual({ sha });
    await port.deleteBranch('release/1.2.3');
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({
      state: 'merged',
      headSha: head,
      mergeCommitSha: sha,
    });
  });

  it('with checked: true (the engine just re-ran the PR gates) merges on the sha guard alone', async () => {
    const port = portFor();
    const { number, head } = readyPull();
    const before = t.sim.requests.length;
    const { sha } = await port.mergePullRequest(number, { sha: head, method: 'merge', checked: true });
    const made = t.sim.requests.slice(before).map((q) => `${q.method} ${q.path.replace(/\?.*$/, '')}`);
    expect(made).toEqual([`PUT /repos/${R}/pulls/${number}/merge`, `GET /repos/${R}/pulls/${number}`]);
    expect(t.sim.pull(R, number)).toMatchObject({ merged: true, mergeCommitSha: sha });
    // The guard still holds: a moved head is refused by GitHub itself (409).
    const other = readyPull('1.2.4');
    t.sim.commit(R, 'release/1.2.4', { 'late.txt': 'x' }, 'a late push');
    const e = await rejection(
      port.mergePullRequest(other.number, { sha: other.head, method: 'merge', checked: true }),
    );
    expect(e.code).toBe('HEAD_MOVED');
  });

  it('does not merge a PR that moved since the gates ran (HEAD_MOVED)', async () => {
    const port = portFor();
    const { number, head } = readyPull();
    t.sim.commit(R, 'release/1.2.3', { 'late.txt': 'x' }, 'a late push');
    const e = await rejection(port.mergePullRequest(number, { sha: head, method: 'merge' }));
    expect(e.code).toBe('HEAD_MOVED');
    expect(t.sim.pull(R, number).merged).toBe(false);
  });

  it('requireApproval: unapproved is NOT_MERGEABLE by default, mergeable when the option says so', async () => {
    const number = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    const head = t.sim.commit(R, 'release/1.2.3', { 'x.txt': 'x' });
    t.sim.addCheckRun(R, head, { name: 'build' });
    const e = await rejection(portFor().mergePullRequest(number, { sha: head, method: 'merge' }));
    expect(e.code).toBe('NOT_MERGEABLE');
    expect(t.sim.pull(R, number).merged).toBe(false);
    const { sha } = await portFor({ requireApproval: false }).mergePullRequest(number, {
      sha: head,
      method: 'merge',
      title: 'Release 1.2.3',
    });
    expect(t.sim.commitInfo(R, sha)).toMatchObject({ message: 'Release 1.2.3' });
  });

  it('abandon: closes the PR with a comment; a re-run is a no-op; then it observes as closed', async () => {
    const port = portFor();
    const { number, head } = readyPull();
    await port.closePullRequest(number, 'Release 1.2.3 abandoned by relkit.');
    expect(t.sim.pull(R, number)).toMatchObject({ state: 'closed', merged: false });
    expect(t.sim.comments(R, number).map((c) => c.body)).toEqual(['Release 1.2.3 abandoned by relkit.']);
    await port.closePullRequest(number, 'Release 1.2.3 abandoned by relkit.');
    expect(t.sim.comments(R, number)).toHaveLength(1);
    await port.deleteBranch('release/1.2.3');
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({
      state: 'closed',
      number,
      headSha: head,
    });
  });

  it('abandon: refuses to close a merged PR', async () => {
    const port = portFor();
    const { number, head } = readyPull();
    await port.mergePullRequest(number, { sha: head, method: 'merge' });
    const e = await rejection(port.closePullRequest(number, 'abandon'));
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(t.sim.comments(R, number)).toHaveLength(0);
  });

  it('an open PR wins over an older closed one; a merged one over a closed one', async () => {
    const port = portFor();
    const old = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    t.sim.closePull(R, old);
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({
      state: 'closed',
      number: old,
    });
    const { number, head } = readyPull();
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({ state: 'open', number });
    await port.mergePullRequest(number, { sha: head, method: 'merge' });
    const later = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    t.sim.closePull(R, later);
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({ state: 'merged', number });
  });

  it('reads a PR it found once by number (no second search), and searches again once it is closed', async () => {
    const port = portFor();
    const { number } = readyPull();
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({ state: 'open', number });
    const before = t.sim.requests.length;
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({ state: 'open', number });
    const searches = t.sim.requests
      .slice(before)
      .filter((q) => q.method === 'GET' && /\/pulls$/.test(q.path.replace(/\?.*$/, '')));
    expect(searches).toHaveLength(0);
    t.sim.closePull(R, number);
    const reopened = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    expect(await port.observePullRequest('release/1.2.3', 'main')).toMatchObject({
      state: 'open',
      number: reopened,
    });
  });

  it('two open PRs for one release are AMBIGUOUS (thrown: could not tell which)', async () => {
    t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    const e = await rejection(portFor().observePullRequest('release/1.2.3', 'main'));
    expect(e.code).toBe('AMBIGUOUS');
  });
});

describe('forgePort: the release lock under core (compare-and-swap on the simulator)', () => {
  const T0 = new Date('2026-03-27T10:00:00Z');
  const clockAt = (d: Date) => ({ now: () => d });
  const lockPorts = (port: ForgePort, now = T0) => ({ forge: port, clock: clockAt(now) });
  const lockRef = () => t.sim.refSha(R, 'refs/relkit-locks/release');
  /** Who the lock says holds it, read as core reads it. */
  const lockNow = async (now = T0) => viewLock(await portFor().readLock('release'), now);

  /**
   * Ports whose first read of the lock (its version, the ref) waits until `n` racers have read:
   * all observe the same state.
   */
  function racers(n: number, now: Date) {
    let waiting: (() => void)[] = [];
    return Array.from({ length: n }, () => {
      const port = portFor();
      let first = true;
      const readLockVersion: NonNullable<ForgePort['readLockVersion']> = async (name, signal) => {
        const seen = await port.readLockVersion!(name, signal);
        if (first) {
          first = false;
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            if (waiting.length === n) {
              waiting.forEach((r) => r());
              waiting = [];
            }
          });
        }
        return seen;
      };
      return lockPorts({ ...port, readLockVersion }, now);
    });
  }

  it('acquires an absent lock in four requests: read, tree, commit, ref create', async () => {
    const before = t.sim.requests.length;
    const lock = await acquireReleaseLock(lockPorts(portFor()), { holder: 'alice', lockTtlSeconds: 90 });
    const made = t.sim.requests.slice(before).map((q) => `${q.method} ${q.path.replace(/\?.*$/, '')}`);
    expect(made).toEqual([
      `GET /repos/${R}/git/ref/relkit-locks%2Frelease`,
      `POST /repos/${R}/git/trees`,
      `POST /repos/${R}/git/commits`,
      `POST /repos/${R}/git/refs`,
    ]);
    expect(await lockNow()).toMatchObject({
      status: 'held',
      holder: 'alice',
      expiresAt: '2026-03-27T10:01:30.000Z',
    });
    await lock.release();
    expect(await lockNow()).toMatchObject({ status: 'released', by: 'alice' });
    // Released, not deleted: the ref only moves forward.
    expect(lockRef()).toBeDefined();
  });

  it('over a released lock: reads the ref, then observes while it reads the commit, commits (its tree reused) and moves the ref; a prepared release is one ref move', async () => {
    await (await acquireReleaseLock(lockPorts(portFor()), { holder: 'first' })).release();
    const released = lockRef()!;
    const port = portFor();
    const before = t.sim.requests.length;
    const made = () => t.sim.requests.slice(before).map((q) => `${q.method} ${q.path.replace(/\?.*$/, '')}`);
    const { lock, observed } = await acquireReleaseLockAndObserve(
      lockPorts(port),
      (signal) => port.observeTag('1.2.3', signal),
      { holder: 'alice', lockTtlSeconds: 90 },
    );
    expect(observed).toMatchObject({ state: 'missing' });
    const requests = made();
    // The lock's ref is read before anything else; then the observation and the acquisition.
    expect(requests[0]).toBe(`GET /repos/${R}/git/ref/relkit-locks%2Frelease`);
    expect(requests.slice(1).sort()).toEqual(
      [
        `GET /repos/${R}/git/commits/${released}`,
        `GET /repos/${R}/git/ref/tags%2F1.2.3`,
        `POST /repos/${R}/git/commits`,
        `PATCH /repos/${R}/git/refs/relkit-locks%2Frelease`,
      ].sort(),
    );
    expect(await lockNow()).toMatchObject({ status: 'held', holder: 'alice' });
    await lock.prepareRelease();
    const staged = t.sim.requests.length;
    await lock.release();
    expect(t.sim.requests.slice(staged).map((q) => `${q.method} ${q.path}`)).toEqual([
      `PATCH /repos/${R}/git/refs/relkit-locks%2Frelease`,
    ]);
    expect(await lockNow()).toMatchObject({ status: 'released', by: 'alice' });
  });

  it('a renewal after the release was prepared: the release is a fresh commit over the renewed state', async () => {
    const lock = await acquireReleaseLock({ forge: portFor() }, { holder: 'alice', lockTtlSeconds: 3 });
    await lock.prepareRelease();
    const prepared = lockRef();
    // The first renewal (after a second) moves the lock to a state the staged one is not a child of.
    for (let i = 0; i < 100 && lockRef() === prepared; i++) await new Promise((r) => setTimeout(r, 50));
    expect(lockRef()).not.toBe(prepared);
    const before = t.sim.requests.length;
    await lock.release();
    expect(t.sim.requests.slice(before).map((q) => `${q.method} ${q.path}`)).toEqual([
      `POST /repos/${R}/git/commits`,
      `PATCH /repos/${R}/git/refs/relkit-locks%2Frelease`,
    ]);
    expect(await lockNow(new Date())).toMatchObject({ status: 'released', by: 'alice' });
  });

  it('two runs racing from the same observed state: exactly one wins, the other is LOCK_HELD naming it', async () => {
    const [a, b] = racers(2, T0);
    const results = await Promise.allSettled([
      acquireReleaseLock(a!, { holder: 'run-a' }),
      acquireReleaseLock(b!, { holder: 'run-b' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const holder =
      (await lockNow()).status === 'held' ? ((await lockNow()) as { holder: string }).holder : '';
    expect(['run-a', 'run-b']).toContain(holder);
    expect(lost[0]!.reason).toMatchObject({ code: 'LOCK_HELD', details: { holder } });
    await (won[0] as PromiseFulfilledResult<HeldLock>).value.release();
  });

  it('the same race over an existing released lock (fast-forward refused for the loser)', async () => {
    await (await acquireReleaseLock(lockPorts(portFor()), { holder: 'first' })).release();
    const [a, b] = racers(2, T0);
    const results = await Promise.allSettled([
      acquireReleaseLock(a!, { holder: 'run-a' }),
      acquireReleaseLock(b!, { holder: 'run-b' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(loser.reason).toMatchObject({ code: 'LOCK_HELD' });
    expect((loser.reason as Error).message).toMatch(/holds the lock: run-[ab] since/);
    await (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<HeldLock>).value.release();
  });

  it('two runs taking over an expired lock: exactly one wins; the crashed holder cannot release the new lock', async () => {
    const crashed = await acquireReleaseLock(lockPorts(portFor()), { holder: 'crashed', lockTtlSeconds: 60 });
    const later = new Date(T0.getTime() + 3600_000);
    const [a, b] = racers(2, later);
    const results = await Promise.allSettled([
      acquireReleaseLock(a!, { holder: 'run-a' }),
      acquireReleaseLock(b!, { holder: 'run-b' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'LOCK_HELD' } });
    const taken = lockRef();
    const winner = await lockNow(later);
    expect(winner).toMatchObject({ status: 'held' });
    // The crashed run comes back and releases: its write names a state that is gone.
    await crashed.release();
    expect(lockRef()).toBe(taken);
    expect(await lockNow(later)).toEqual(winner);
    await (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<HeldLock>).value.release();
  });

  it('a live holder renews its lease (each renewal a fast-forward of the lock ref)', async () => {
    const lock = await acquireReleaseLock({ forge: portFor() }, { holder: 'alice', lockTtlSeconds: 1 });
    const first = await lockNow(new Date());
    await new Promise((r) => setTimeout(r, 900));
    const renewed = await lockNow(new Date());
    expect(renewed).toMatchObject({ status: 'held', holder: 'alice' });
    expect(Date.parse((renewed as { expiresAt: string }).expiresAt)).toBeGreaterThan(
      Date.parse((first as { expiresAt: string }).expiresAt),
    );
    lock.assertHeld();
    await lock.release();
    expect(await lockNow()).toMatchObject({ status: 'released' });
  });

  it('unlock frees its own lock; another live holder only with --force (named); a foreign ref only with --force', async () => {
    const ports = lockPorts(portFor());
    await acquireReleaseLock(ports, { holder: 'alice' });
    await expect(unlockRelease(ports, { holder: 'bob' })).rejects.toMatchObject({
      code: 'LOCK_HELD',
      details: { holder: 'alice' },
    });
    expect(await unlockRelease(ports, { holder: 'bob', force: true })).toMatchObject({
      outcome: 'released',
      forced: true,
      previous: { holder: 'alice' },
    });
    await acquireReleaseLock(ports, { holder: 'bob' });
    expect(await unlockRelease(ports, { holder: 'bob' })).toMatchObject({
      outcome: 'released',
      forced: false,
    });
    expect(await unlockRelease(ports, { holder: 'bob' })).toMatchObject({ outcome: 'free' });
    t.sim.setRef(R, 'refs/relkit-locks/release', t.main);
    await expect(acquireReleaseLock(ports, { holder: 'carol' })).rejects.toMatchObject({
      code: 'LOCK_HELD',
      details: { holder: expect.stringMatching(/unknown/) as unknown },
    });
    expect(await unlockRelease(ports, { holder: 'carol', force: true })).toMatchObject({
      outcome: 'released',
    });
    await (await acquireReleaseLock(ports, { holder: 'carol' })).release();
  });

  it('shows a holder someone else wrote with escape sequences as printable text', async () => {
    const hostile = JSON.stringify({
      status: 'held',
      holder: '\x1b]0;owned\x07\x1b[31mmallory\nrm -rf\x1b[0m' + 'x'.repeat(300),
      run: 'r',
      acquiredAt: T0.toISOString(),
      expiresAt: '2026-03-27T11:00:00.000Z',
    });
    await forgeFor(t.sim).writeLock(REPO, 'release', undefined, hostile);
    const err = await acquireReleaseLock(lockPorts(portFor()), { holder: 'me' }).catch((e: unknown) => e);
    const holder = (err as { details: { holder: string } }).details.holder;
    expect(holder.startsWith('mallory rm -rf')).toBe(true);
    expect([...holder].filter((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)).toEqual([]);
    expect([...holder].length).toBeLessThanOrEqual(100);
  });
});

describe('forgePort under the release engine', () => {
  // The registry and signatures are not this package's: they answer "nothing there" so that the
  // engine's GitHub side runs for real against the simulator.
  const config = parseConfig({
    repository: R,
    images: [{ name: 'ghcr.io/acme/app' }],
    signing: {
      issuer: 'https://token.actions.githubusercontent.com',
      identityRegexp: `https://github\\.com/${R}/.*`,
    },
  });
  const ports = (forge: ForgePort): ReleasePorts => ({
    forge,
    registry: {
      observeManifest: () => Promise.resolve({ state: 'missing' }),
      listTags: () => Promise.resolve([]),
      retag: () => Promise.reject(new Error('not used by abandon')),
      deleteManifest: () => Promise.reject(new Error('not used by abandon')),
    },
    signatures: { verify: () => Promise.resolve({ state: 'not-checked' }) },
  });

  it('abandon: observe, plan, execute undoes draft, tag, PR and branch; a re-run converges', async () => {
    const port = portFor();
    const { number, head } = readyPull();
    t.sim.setRef(R, 'refs/tags/1.2.3', head);
    t.sim.setRef(R, 'refs/tags/1.2.3-rc1', head);
    t.sim.seedRelease(R, { tag: '1.2.3', draft: true, target: head });
    const obs = await observeRelease(config, ports(port), parseVersion('1.2.3'));
    expect(obs).toMatchObject({
      release: { state: 'draft' },
      versionTag: { state: 'found', sha: head },
      pullRequest: { state: 'open', number },
      candidateTags: ['1.2.3-rc1'],
    });
    const plan = planAbandon(config, obs);
    expect(plan.steps.map((s) => s.step.kind)).toEqual([
      'delete-draft-release',
      'delete-tag',
      'close-pr',
      'delete-branch',
    ]);
    const result = await execute(config, plan, ports(port), { holder: 'test' });
    expect(result).toMatchObject({ status: 'succeeded' });
    expect(t.sim.releases(R)).toHaveLength(0);
    expect(t.sim.refSha(R, 'refs/tags/1.2.3')).toBeUndefined();
    expect(t.sim.refSha(R, 'refs/tags/1.2.3-rc1')).toBe(head);
    expect(t.sim.pull(R, number)).toMatchObject({ state: 'closed', merged: false });
    expect(t.sim.branchSha(R, 'release/1.2.3')).toBeUndefined();
    // The lock was released (a new state on the lock ref, which is never deleted).
    expect(viewLock(await port.readLock('release'), new Date())).toMatchObject({ status: 'released' });

    // Re-run: the closed PR is still observed, so the branch step re-runs as a no-op.
    const again = await observeRelease(config, ports(port), parseVersion('1.2.3'));
    expect(again).toMatchObject({ release: { state: 'missing' }, pullRequest: { state: 'closed', number } });
    const rerun = await execute(config, planAbandon(config, again), ports(port), { holder: 'test' });
    expect(rerun.status).toBe('succeeded');
    expect(t.sim.comments(R, number)).toHaveLength(1);
  });

  it('a second run finds the lock held and is told by whom', async () => {
    const port = portFor();
    const { number } = readyPull();
    const held = await acquireReleaseLock({ forge: port }, { holder: 'promote on laptop' });
    const obs = await observeRelease(config, ports(portFor()), parseVersion('1.2.3'));
    const e = await execute(config, planAbandon(config, obs), ports(portFor()), { holder: 'ci' }).then(
      () => undefined,
      (x: unknown) => x as { code?: string; message?: string },
    );
    expect(e).toMatchObject({ code: 'LOCK_HELD' });
    expect(e?.message).toMatch(/promote on laptop since/);
    expect(t.sim.pull(R, number)).toMatchObject({ state: 'open' });
    await held.release();
  });
});
