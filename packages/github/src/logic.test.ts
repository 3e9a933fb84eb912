// Unit tests of the pure decisions: check verdicts, approval, mergeability.
import { describe, expect, it } from 'vitest';
import { normalizeCheck, summarizeChecks, type RawCheck } from './checks.js';
import { classifyMergeability, evaluateApproval } from './pull-requests.js';

const run = (
  name: string,
  startedAt: string,
  status: string,
  conclusion: string | null = null,
  id = 1,
): RawCheck => ({
  source: 'check-run',
  id,
  name,
  status,
  conclusion,
  startedAt,
  url: null,
});
const status = (name: string, startedAt: string, state: string, id = 1): RawCheck => ({
  source: 'status',
  id,
  name,
  status: state,
  conclusion: null,
  startedAt,
  url: null,
});

describe('normalizeCheck', () => {
  it.each([
    [run('a', 'x', 'completed', 'success'), 'success'],
    [run('a', 'x', 'completed', 'failure'), 'failure'],
    [run('a', 'x', 'completed', 'cancelled'), 'failure'],
    [run('a', 'x', 'completed', 'timed_out'), 'failure'],
    [run('a', 'x', 'completed', 'action_required'), 'failure'],
    [run('a', 'x', 'completed', 'neutral'), 'neutral'],
    [run('a', 'x', 'completed', 'skipped'), 'skipped'],
    [run('a', 'x', 'queued'), 'pending'],
    [run('a', 'x', 'in_progress'), 'pending'],
    [run('a', 'x', 'waiting'), 'pending'],
    [status('a', 'x', 'success'), 'success'],
    [status('a', 'x', 'error'), 'failure'],
    [status('a', 'x', 'failure'), 'failure'],
    [status('a', 'x', 'pending'), 'pending'],
    [run('a', 'x', 'completed', 'something_new'), 'failure'],
  ] as const)('%j → %s', (c, verdict) => {
    expect(normalizeCheck(c).verdict).toBe(verdict);
  });
});

describe('summarizeChecks', () => {
  it('keeps the latest run per name across check runs and statuses; ties go to the higher id', () => {
    const s = summarizeChecks([
      run('ci', '2026-01-01T00:00:00Z', 'completed', 'failure', 1),
      run('ci', '2026-01-01T00:01:00Z', 'completed', 'success', 2),
      status('ci', '2026-01-01T00:00:30Z', 'error', 3),
      status('lint', '2026-01-01T00:00:00Z', 'pending', 4),
      status('lint', '2026-01-01T00:00:00Z', 'success', 5),
    ]);
    expect(s).toMatchObject({ verdict: 'green', superseded: 3, failed: [], pending: [] });
  });
  it('neutral and skipped alone are not green; nothing is "none"', () => {
    expect(summarizeChecks([run('a', 'x', 'completed', 'skipped')]).verdict).toBe('none');
    expect(summarizeChecks([]).verdict).toBe('none');
  });
  it('failed wins over pending', () => {
    expect(summarizeChecks([run('a', 'x', 'queued'), status('b', 'x', 'failure')])).toMatchObject({
      verdict: 'failed',
      failed: ['b'],
      pending: ['a'],
    });
  });
});

describe('evaluateApproval', () => {
  it('trusts a non-null reviewDecision', () => {
    expect(evaluateApproval('APPROVED', []).approved).toBe(true);
    expect(
      evaluateApproval('REVIEW_REQUIRED', [{ login: 'a', state: 'APPROVED', submittedAt: null }]).approved,
    ).toBe(false);
  });
  it('falls back on the latest decisive review per reviewer', () => {
    const reviews = [
      { login: 'a', state: 'CHANGES_REQUESTED', submittedAt: null },
      { login: 'a', state: 'COMMENTED', submittedAt: null },
      { login: 'a', state: 'APPROVED', submittedAt: null },
      { login: 'b', state: 'APPROVED', submittedAt: null },
      { login: 'b', state: 'DISMISSED', submittedAt: null },
    ];
    expect(evaluateApproval(null, reviews)).toMatchObject({
      approved: true,
      approvedBy: ['a'],
      source: 'reviews',
    });
    expect(evaluateApproval(null, []).approved).toBe(false);
  });
  it('says whether an approval was given on the head commit (an older commit does not cover a push)', () => {
    const head = 'b'.repeat(40);
    const old = 'a'.repeat(40);
    const onOld = [{ login: 'a', state: 'APPROVED', submittedAt: null, commitId: old }];
    // GitHub's reviewDecision stays APPROVED after a push unless stale reviews are dismissed.
    expect(evaluateApproval('APPROVED', onOld, head)).toMatchObject({
      approved: true,
      approvedOnHead: false,
    });
    expect(evaluateApproval(null, onOld, head)).toMatchObject({ approved: true, approvedOnHead: false });
    const onHead = [...onOld, { login: 'c', state: 'APPROVED', submittedAt: null, commitId: head }];
    expect(evaluateApproval('APPROVED', onHead, head)).toMatchObject({
      approvedOnHead: true,
      approvedHeadBy: ['c'],
    });
    expect(evaluateApproval('REVIEW_REQUIRED', onHead, head).approvedOnHead).toBe(false);
  });
});

describe('classifyMergeability', () => {
  const pr = {
    merged: false,
    state: 'open',
    draft: false,
    mergeable: true as boolean | null,
    mergeableState: 'clean',
  };
  it.each(['clean', 'has_hooks', 'unstable'])('%s is mergeable', (s) => {
    expect(classifyMergeability({ ...pr, mergeableState: s }, 'h', 'b').state).toBe('mergeable');
  });
  it('null is unknown, merged is merged, closed is closed', () => {
    expect(classifyMergeability({ ...pr, mergeable: null, mergeableState: 'unknown' }, 'h', 'b').state).toBe(
      'unknown',
    );
    expect(classifyMergeability({ ...pr, merged: true, state: 'closed' }, 'h', 'b').state).toBe('merged');
    expect(classifyMergeability({ ...pr, state: 'closed' }, 'h', 'b').state).toBe('closed');
  });
  it('an unexpected state is never mergeable', () => {
    expect(classifyMergeability({ ...pr, mergeableState: 'weird' }, 'h', 'b').state).toBe('blocked');
  });
});
