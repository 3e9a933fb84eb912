import { describe, expect, it } from 'vitest';
import { GitHubError } from './errors.js';
import { forgeFor, R, REPO, useSimulator } from './__tests__/support.js';
import { rejectionOf } from '@relkit/testkit';

const t = useSimulator();

const rejection = (p: Promise<unknown>) => rejectionOf(p, GitHubError);

/** A release PR that passes every gate: approved, CI green, mergeable. */
function readyPull(): { number: number; head: string } {
  const number = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
  const head = t.sim.commit(
    R,
    'release/1.2.3',
    { 'CHANGELOG.md': '## [1.2.3] - 2026-03-27\n' },
    'chore: finalize release 1.2.3',
  );
  t.sim.review(R, number, 'alice', 'APPROVED');
  t.sim.addCheckRun(R, head, { name: 'build (amd64)' });
  t.sim.addCheckRun(R, head, { name: 'build (arm64)' });
  t.sim.addStatus(R, head, { context: 'pre-commit', state: 'success' });
  return { number, head };
}

describe('release pull request', () => {
  it('finds release/X.Y.Z → main, or configured branch names; none is undefined', async () => {
    const forge = forgeFor(t.sim);
    expect(await forge.findReleasePullRequest(REPO, '1.2.3')).toBeUndefined();
    const { number, head } = readyPull();
    const pr = await forge.findReleasePullRequest(REPO, '1.2.3');
    expect(pr).toMatchObject({
      number,
      state: 'open',
      draft: false,
      head: { ref: 'release/1.2.3', sha: head },
      base: { ref: 'main' },
    });
    t.sim.commit(R, 'trunk', {}, 'trunk');
    const other = t.sim.openPull(R, { head: 'rel-2.0.0', base: 'trunk' });
    expect(
      await forge.findReleasePullRequest(REPO, '2.0.0', { head: 'rel-{version}', base: 'trunk' }),
    ).toMatchObject({ number: other });
    expect(await forge.findReleasePullRequest(REPO, '2.0.0')).toBeUndefined();
  });

  it('observes a ready PR: not draft, approved, checks green, mergeable after re-querying GitHub’s null', async () => {
    const { number } = readyPull();
    const report = await forgeFor(t.sim).observePullRequest(REPO, number);
    expect(report.blockers).toEqual([]);
    expect(report.approval).toMatchObject({
      approved: true,
      decision: null,
      source: 'reviews',
      approvedBy: ['alice'],
    });
    expect(report.checks).toMatchObject({ verdict: 'green', failed: [], pending: [] });
    expect(report.checks.checks.map((c) => `${c.source}:${c.name}`)).toEqual([
      'check-run:build (amd64)',
      'check-run:build (arm64)',
      'status:pre-commit',
    ]);
    expect(report.mergeability).toMatchObject({ state: 'mergeable', mergeStateStatus: 'clean' });
    const gets = t.sim.requests.filter(
      (q) => q.operation === 'GET /repos/{owner}/{repo}/pulls/{pull_number}',
    );
    expect(gets.length).toBeGreaterThanOrEqual(2); // the first answer was mergeable: null
  });

  it('reports unknown mergeability when GitHub keeps computing past the re-query budget', async () => {
    const { number } = readyPull();
    t.sim.setMergeState(R, number, 'clean', 50);
    const report = await forgeFor(t.sim, { mergeabilityAttempts: 3 }).observePullRequest(REPO, number);
    expect(report.mergeability.state).toBe('unknown');
    expect(report.blockers.join()).toMatch(/still computing/);
  });

  it.each([
    ['behind', /behind main/, /update release\/1.2.3 with main/],
    ['blocked', /branch protection/, /approvals/],
    ['dirty', /merge conflicts/, /resolve the conflicts/],
  ] as const)('reports %s with what to do', async (state, reason, advice) => {
    const { number } = readyPull();
    t.sim.setMergeState(R, number, state);
    const report = await forgeFor(t.sim).observePullRequest(REPO, number);
    expect(report.mergeability.state).toBe(state);
    expect(report.mergeability.reason).toMatch(reason);
    expect(report.mergeability.advice).toMatch(advice);
    expect(report.blockers).toHaveLength(1);
  });

  it('reports a draft PR', async () => {
    const { number } = readyPull();
    t.sim.setPullDraft(R, number, true);
    const report = await forgeFor(t.sim).observePullRequest(REPO, number);
    expect(report.pullRequest.draft).toBe(true);
    expect(report.mergeability.state).toBe('draft');
    expect(report.blockers).toEqual(['the pull request is a draft']);
  });

  it('takes approval from reviewDecision when the base branch requires reviews', async () => {
    const { number } = readyPull();
    t.sim.requireApprovals(R, 2);
    const forge = forgeFor(t.sim);
    let report = await forge.observePullRequest(REPO, number);
    expect(report.approval).toMatchObject({
      approved: false,
      decision: 'REVIEW_REQUIRED',
      source: 'review-decision',
    });
    t.sim.review(R, number, 'bob', 'APPROVED');
    report = await forge.observePullRequest(REPO, number);
    expect(report.approval).toMatchObject({
      approved: true,
      decision: 'APPROVED',
      approvedBy: ['alice', 'bob'],
    });
  });

  it('falls back on the reviews list: the latest review per reviewer counts, a change request blocks', async () => {
    const { number } = readyPull();
    t.sim.review(R, number, 'bob', 'CHANGES_REQUESTED');
    const forge = forgeFor(t.sim);
    let report = await forge.observePullRequest(REPO, number);
    expect(report.approval).toMatchObject({
      approved: false,
      source: 'reviews',
      changesRequestedBy: ['bob'],
    });
    expect(report.blockers).toEqual(['changes requested by bob']);
    t.sim.review(R, number, 'bob', 'APPROVED');
    report = await forge.observePullRequest(REPO, number);
    expect(report.approval.approved).toBe(true);
  });

  it('counts only the latest run per check name: a passing re-run supersedes a failure', async () => {
    const number = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    const head = t.sim.branchSha(R, 'release/1.2.3')!;
    t.sim.addCheckRun(R, head, { name: 'test', conclusion: 'failure', startedAt: '2026-03-27T10:00:00Z' });
    t.sim.addCheckRun(R, head, { name: 'test', conclusion: 'success', startedAt: '2026-03-27T10:05:00Z' });
    t.sim.addStatus(R, head, { context: 'scan', state: 'failure', createdAt: '2026-03-27T10:00:00Z' });
    t.sim.addStatus(R, head, { context: 'scan', state: 'success', createdAt: '2026-03-27T10:06:00Z' });
    const forge = forgeFor(t.sim);
    let checks = (await forge.observePullRequest(REPO, number)).checks;
    expect(checks).toMatchObject({ verdict: 'green', superseded: 2 });
    // A newer run in progress makes it pending again; a newer failure makes it failed.
    t.sim.addCheckRun(R, head, { name: 'test', status: 'in_progress', startedAt: '2026-03-27T10:10:00Z' });
    checks = await forge.readChecks(REPO, head);
    expect(checks).toMatchObject({ verdict: 'pending', pending: ['test'] });
    t.sim.addStatus(R, head, { context: 'scan', state: 'error', createdAt: '2026-03-27T10:11:00Z' });
    checks = await forge.readChecks(REPO, head);
    expect(checks).toMatchObject({ verdict: 'failed', failed: ['scan'], pending: ['test'] });
  });

  it('follows a check run as CI flips it: queued → pending, completed failure → failed', async () => {
    const { number, head } = readyPull();
    const id = t.sim.addCheckRun(R, head, { name: 'integration', status: 'queued' });
    const forge = forgeFor(t.sim);
    expect((await forge.observePullRequest(REPO, number)).checks).toMatchObject({
      verdict: 'pending',
      pending: ['integration'],
    });
    t.sim.updateCheckRun(R, id, { status: 'completed', conclusion: 'failure' });
    const report = await forge.observePullRequest(REPO, number);
    expect(report.checks).toMatchObject({ verdict: 'failed', failed: ['integration'] });
    expect(report.blockers).toEqual(['checks failed: integration']);
  });

  it('says when there are no checks at all', async () => {
    const number = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    t.sim.review(R, number, 'alice', 'APPROVED');
    const report = await forgeFor(t.sim).observePullRequest(REPO, number);
    expect(report.checks.verdict).toBe('none');
    expect(report.blockers).toEqual(['no checks reported on the head commit']);
  });
});

describe('merging the release PR', () => {
  it.each(['merge', 'squash', 'rebase'] as const)(
    'merges with method %s and the sha guard, then reads it back',
    async (method) => {
      const { number, head } = readyPull();
      const forge = forgeFor(t.sim);
      const result = await forge.mergePullRequest(REPO, number, { expectedHeadSha: head, method });
      expect(result.outcome).toBe('merged');
      expect(t.sim.pull(R, number)).toMatchObject({
        merged: true,
        mergeMethod: method,
        mergeCommitSha: result.mergeCommitSha,
      });
      expect(t.sim.branchSha(R, 'main')).toBe(result.mergeCommitSha);
      const put = t.sim.requests.find(
        (q) => q.operation === 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
      )!;
      expect(put.body).toEqual({ sha: head, merge_method: method });
      // Re-run after a crash: already merged is done.
      expect((await forge.mergePullRequest(REPO, number, { expectedHeadSha: head, method })).outcome).toBe(
        'already-merged',
      );
    },
  );

  it('#1132: a PR that went BEHIND after the gates (and after publishing) is not merged, with what to do', async () => {
    const { number, head } = readyPull();
    const forge = forgeFor(t.sim);
    expect((await forge.observePullRequest(REPO, number)).blockers).toEqual([]); // the gate stage passed
    t.sim.seedRelease(R, { tag: '1.2.3' }); // …the irreversible publish happened…
    t.sim.commit(R, 'main', { 'hotfix.txt': 'x' }, 'hotfix on main');
    t.sim.setMergeState(R, number, 'behind');
    const e = await rejection(forge.mergePullRequest(REPO, number, { expectedHeadSha: head }));
    expect(e.code).toBe('NOT_MERGEABLE');
    expect(e.message).toMatch(/behind main/);
    expect(e.advice).toMatch(/update release\/1.2.3 with main/);
    expect(t.sim.pull(R, number).merged).toBe(false);
    expect(t.sim.requests.some((q) => q.operation?.endsWith('/merge'))).toBe(false);
  });

  it('#1487: an approval dismissed after the gates is caught by the re-check right before the merge', async () => {
    const { number, head } = readyPull();
    t.sim.requireApprovals(R, 1);
    const forge = forgeFor(t.sim);
    expect((await forge.observePullRequest(REPO, number)).approval.approved).toBe(true);
    t.sim.review(R, number, 'alice', 'DISMISSED');
    const e = await rejection(forge.mergePullRequest(REPO, number, { expectedHeadSha: head }));
    expect(e.code).toBe('NOT_MERGEABLE');
    expect(e.message).toMatch(/not approved \(REVIEW_REQUIRED\)/);
    expect(t.sim.pull(R, number).merged).toBe(false);
  });

  it('refuses when the head moved since the gates checked it', async () => {
    const { number, head } = readyPull();
    t.sim.commit(R, 'release/1.2.3', { 'late.txt': 'x' }, 'late change');
    const e = await rejection(forgeFor(t.sim).mergePullRequest(REPO, number, { expectedHeadSha: head }));
    expect(e.code).toBe('HEAD_MOVED');
    expect(t.sim.pull(R, number).merged).toBe(false);
  });

  it('GitHub’s sha guard stops a merge when the head moves between the re-check and the merge call', async () => {
    const { number, head } = readyPull();
    const forge = forgeFor(t.sim);
    forge.octokit.hook.before('request', (options) => {
      if (options.method === 'PUT' && String(options.url).endsWith('/merge'))
        t.sim.commit(R, 'release/1.2.3', { 'racer.txt': 'x' }, 'a push that raced the merge');
    });
    const e = await rejection(forge.mergePullRequest(REPO, number, { expectedHeadSha: head }));
    expect(e.code).toBe('HEAD_MOVED');
    expect(e.status).toBe(409);
    expect(e.requestId).toMatch(/SIM/);
    expect(t.sim.pull(R, number).merged).toBe(false);
  });

  it('may skip the approval when the base branch needs no review', async () => {
    const number = t.sim.openPull(R, { head: 'release/1.2.3', base: 'main' });
    const head = t.sim.branchSha(R, 'release/1.2.3')!;
    t.sim.addCheckRun(R, head, { name: 'ci' });
    const forge = forgeFor(t.sim);
    expect((await rejection(forge.mergePullRequest(REPO, number, { expectedHeadSha: head }))).code).toBe(
      'NOT_MERGEABLE',
    );
    expect(
      (await forge.mergePullRequest(REPO, number, { expectedHeadSha: head, requireApproval: false })).outcome,
    ).toBe('merged');
  });

  it('refuses a short SHA as the guard', async () => {
    const { number, head } = readyPull();
    expect(
      (await rejection(forgeFor(t.sim).mergePullRequest(REPO, number, { expectedHeadSha: head.slice(0, 7) })))
        .code,
    ).toBe('INVALID_INPUT');
  });
});
