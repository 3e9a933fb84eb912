// The eleven ways GitHub is stricter than the simulator used to be (issue 17), one test each:
// the simulator behaves as GitHub does (sources in docs/github-behaviours.md) and the adapter
// copes. Each test fails against the old simulator-and-adapter pair.
import { rejectionOf } from '@relkit/testkit';
import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { forgePort } from './release-port.js';
import { FAST, forgeFor, R, REPO, S, SMOKE, useSimulator } from './__tests__/support.js';

const t = useSimulator();
const rejection = (p: Promise<unknown>) => rejectionOf(p, GitHubError);

describe('GitHub as it really behaves', () => {
  it('#1 an App installation token (push: false on repos.get) creates drafts and reads a missing release as missing', async () => {
    const forge = forgeFor(t.sim, { token: t.sim.appToken });
    const port = forgePort(forge, { repository: REPO });
    // No draft yet and GitHub says push: false: a missing release is missing, not an error.
    expect(await port.observeRelease('1.2.3')).toEqual({ state: 'missing' });
    await forge.createTag(REPO, '1.2.3', t.main);
    const r = await forge.createDraftRelease(REPO, { tag: '1.2.3', notes: 'n' });
    expect(r.outcome).toBe('created');
    // Now a draft is visible in the list: that proves the token sees drafts.
    expect((await forge.findRelease(REPO, '1.2.3')).draftsVisible).toBe(true);
    // A person's read-only token is told the truth, and still cannot see drafts.
    const read = forgeFor(t.sim, { token: t.sim.readToken });
    expect((await read.findRelease(REPO, '9.9.9')).draftsVisible).toBe(false);
  });

  it('#2 checks are keyed by identity: a green build of one workflow does not hide a red build of another', async () => {
    t.sim.addCheckRun(R, t.main, {
      name: 'build',
      workflow: 'CI',
      conclusion: 'failure',
      startedAt: '2026-03-27T10:00:00Z',
    });
    t.sim.addCheckRun(R, t.main, {
      name: 'build',
      workflow: 'Nightly',
      conclusion: 'success',
      startedAt: '2026-03-27T10:05:00Z',
    });
    // A third-party app reporting the same name is another check too.
    t.sim.addCheckRun(R, t.main, {
      name: 'build',
      app: { id: 9001, slug: 'buildkite', name: 'Buildkite' },
      conclusion: 'success',
    });
    const summary = await forgeFor(t.sim).readChecks(REPO, t.main);
    expect(summary.verdict).toBe('failed');
    expect(summary.checks).toHaveLength(3);
    // A re-run of the same workflow's check still supersedes the failed run.
    t.sim.addCheckRun(R, t.main, {
      name: 'build',
      workflow: 'CI',
      conclusion: 'success',
      startedAt: '2026-03-27T10:10:00Z',
    });
    expect((await forgeFor(t.sim).readChecks(REPO, t.main)).verdict).toBe('green');
  });

  it('#3 a lock ref created, then answered 502, is our lock (not "held by someone" for the TTL)', async () => {
    t.sim.injectFault({ operation: 'POST /repos/{owner}/{repo}/git/refs', kind: 'applied-then-5xx' });
    const r = await forgeFor(t.sim).writeLock(REPO, 'release', undefined, '{"holder":"run-1"}');
    expect(r.written).toBe(true);
    expect(t.sim.requests.filter((q) => q.operation === 'POST /repos/{owner}/{repo}/git/refs')).toHaveLength(
      1,
    );
  });

  it('#3b a lock move applied, then answered 502, is our write (a retry would be "not a fast forward")', async () => {
    const forge = forgeFor(t.sim);
    const first = await forge.writeLock(REPO, 'release', undefined, '{"holder":"run-1"}');
    if (!first.written) throw new Error('unreachable');
    t.sim.injectFault({ operation: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}', kind: 'applied-then-5xx' });
    const next = await forge.writeLock(REPO, 'release', first.sha, '{"status":"released"}');
    expect(next.written).toBe(true);
    expect(t.sim.refSha(R, 'refs/relkit-locks/release')).toBe(next.written ? next.sha : '');
  });

  it('#4 a signed-commit ruleset refusal says so, with advice that works (not "re-run")', async () => {
    t.sim.requireSignedCommits(R, 'main');
    const person = forgeFor(t.sim, { token: t.sim.userToken });
    const e = await rejection(
      person.commitFile(REPO, {
        branch: 'main',
        path: 'CHANGELOG.md',
        content: 'x\n',
        message: 'chore: changelog',
      }),
    );
    expect(e.code).toBe('SIGNED_COMMITS_REQUIRED');
    expect(e.advice).toMatch(/App installation token/);
    // The App's API commits are signed: the same write goes through with its token.
    const app = forgeFor(t.sim, { token: t.sim.appToken });
    const ok = await app.commitFile(REPO, {
      branch: 'main',
      path: 'CHANGELOG.md',
      content: 'x\n',
      message: 'chore: changelog',
    });
    expect(ok.outcome).toBe('committed');
  });

  it('#5 a tag-creation ruleset is not a burned tag, and a lock ref refusal is not a tag at all', async () => {
    // Immutable releases off, as a published release that is not immutable shows.
    t.sim.immutableReleases(R, false);
    t.sim.seedRelease(R, { tag: '1.0.0' });
    t.sim.restrictRefCreation(R, /^refs\/tags\//);
    const forge = forgeFor(t.sim);
    const e = await rejection(forge.createTag(REPO, '1.2.3', t.main));
    expect(e.code).toBe('RULESET_REFUSED');
    expect(e.advice).toMatch(/bypass list/);
    t.sim.restrictRefCreation(R, /^refs\/relkit-locks\//);
    const l = await rejection(forge.writeLock(REPO, 'release', undefined, '{"holder":"h"}'));
    expect(l.code).toBe('RULESET_REFUSED');
    expect(l.message).toContain('refs/relkit-locks/release');
    // With immutable releases on, a published release deleted burns its tag for good.
    t.sim.immutableReleases(S, true);
    const id = t.sim.seedRelease(S, { tag: '2.0.0' });
    t.sim.deleteRelease(S, id);
    t.sim.seedRelease(S, { tag: '1.0.0' });
    const b = await rejection(forge.createTag(SMOKE, '2.0.0', t.sim.branchSha(S, 'main')!));
    expect(b.code).toBe('TAG_BURNED');
  });

  it('#6 a prerelease is published with make_latest false (GitHub refuses latest on a prerelease)', async () => {
    await forgeFor(t.sim).createTag(REPO, '1.2.3-rc1', t.main);
    t.sim.seedRelease(R, { tag: '1.2.3-rc1', draft: true, prerelease: true, body: 'n' });
    const port = forgePort(forgeFor(t.sim), { repository: REPO });
    const r = await port.publishRelease('1.2.3-rc1', { makeLatest: true });
    expect(r.state).toBe('published');
    expect(t.sim.releases(R)[0]).toMatchObject({ draft: false, makeLatest: 'false' });
  });

  it('#7 the merge method comes from what the repository allows; an insisted one that is not allowed is refused with the list', async () => {
    t.sim.setMergeMethods(R, { merge: false, rebase: false });
    const head = t.sim.commit(R, 'release/1.2.3', { 'v.txt': '1.2.3' });
    const n = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    t.sim.addCheckRun(R, head, { name: 'ci' });
    t.sim.review(R, n, 'alice', 'APPROVED');
    const forge = forgeFor(t.sim);
    const refused = await rejection(
      forge.mergePullRequest(REPO, n, { expectedHeadSha: head, method: 'merge' }),
    );
    expect(refused.code).toBe('NOT_MERGEABLE');
    expect(refused.message).toContain('allows squash');
    const r = await forge.mergePullRequest(REPO, n, { expectedHeadSha: head });
    expect(r.outcome).toBe('merged');
    expect(t.sim.pull(R, n).mergeMethod).toBe('squash');
  });

  it('#8 with no review rule, only approvals by people with write access count', async () => {
    const head = t.sim.commit(R, 'release/1.2.3', { 'v.txt': '1.2.3' });
    const n = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    t.sim.addCheckRun(R, head, { name: 'ci' });
    t.sim.review(R, n, 'drive-by', 'APPROVED', 'CONTRIBUTOR');
    const forge = forgeFor(t.sim);
    const before = await forge.observePullRequest(REPO, n);
    expect(before.approval).toMatchObject({ approved: false, source: 'reviews' });
    t.sim.review(R, n, 'maintainer', 'APPROVED', 'COLLABORATOR');
    expect((await forge.observePullRequest(REPO, n)).approval).toMatchObject({
      approved: true,
      approvedBy: ['maintainer'],
    });
  });

  it('#9 secondary rate limits (403 without Retry-After, 429) are waited out, writes included', async () => {
    const events: string[] = [];
    const forge = forgeFor(t.sim, { onRateLimit: (e) => events.push(`${e.kind} ${e.method}`) });
    t.sim.secondaryRateLimit(1, { status: 403 });
    expect(await forge.getRef(REPO, 'heads/main')).toBe(t.main);
    t.sim.secondaryRateLimit(1, { status: 429, retryAfterSeconds: 1 });
    expect((await forge.createTag(REPO, '1.2.3', t.main)).outcome).toBe('created');
    expect(events).toEqual(['secondary GET', 'secondary POST']);
  });

  it('#10 a release list that lags behind the create still finds the release this forge wrote', async () => {
    t.sim.releaseListLag(R, 50);
    const forge = forgeFor(t.sim);
    await forge.createTag(REPO, '1.2.3', t.main);
    const created = await forge.createDraftRelease(REPO, { tag: '1.2.3', notes: 'n' });
    const found = await forge.findRelease(REPO, '1.2.3');
    expect(found.release?.id).toBe(created.release.id);
    // Publishing it again finds the same draft: no second draft.
    expect((await forge.createDraftRelease(REPO, { tag: '1.2.3', notes: 'n' })).outcome).toBe('unchanged');
    expect(t.sim.releases(R)).toHaveLength(1);
  });

  it('#11 a GITHUB_TOKEN reaches only its own repository: a dispatch elsewhere is 404 with advice', async () => {
    const forge = forgeFor(t.sim, { token: t.sim.repositoryToken(R) });
    const e = await rejection(forge.dispatch(SMOKE, { eventType: 'smoke', correlationId: 'c-1' }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.advice).toMatch(/GITHUB_TOKEN reaches only/);
    expect(t.sim.dispatches(S)).toHaveLength(0);
    expect(FAST.retryBaseMs).toBeLessThan(100);
  });
});
