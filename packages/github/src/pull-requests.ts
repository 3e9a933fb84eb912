import type { Approval, Mergeability, ReviewDecision } from './types.js';

export interface RawReview {
  readonly login: string;
  readonly state: string;
  readonly submittedAt: string | null;
  /** GitHub's author_association of the reviewer; undefined when the caller did not say. */
  readonly association?: string;
  /** The commit the review was given on (GitHub's `commit_id`); null when GitHub does not say. */
  readonly commitId?: string | null;
}

// Only reviewers with write access count (what GitHub's required reviews count: "approving
// review by reviewers with write access"): OWNER, MEMBER, COLLABORATOR.
const WRITE_ACCESS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/**
 * Approval from GitHub's reviewDecision, or, when that is null (no review rule on the base
 * branch; the origin's #438 fallback), from the reviews list: each reviewer's latest decisive
 * review counts, approvals only from reviewers with write access (OWNER / MEMBER / COLLABORATOR); approved means at least one approval and no outstanding change request.
 */
export function evaluateApproval(
  decision: ReviewDecision | null,
  reviews: readonly RawReview[],
  headSha?: string,
): Approval {
  const latest = new Map<string, string>();
  const latestCommit = new Map<string, string | null>();
  for (const r of reviews) {
    if (r.state === 'COMMENTED' || r.state === 'PENDING') continue;
    // An approval from someone without write access counts for nothing; a change request from
    // anyone still blocks (fail closed).
    if (r.state === 'APPROVED' && r.association !== undefined && !WRITE_ACCESS.has(r.association)) continue;
    latest.set(r.login, r.state);
    latestCommit.set(r.login, r.commitId ?? null);
  }
  const approvedBy = [...latest].filter(([, s]) => s === 'APPROVED').map(([l]) => l);
  const changesRequestedBy = [...latest].filter(([, s]) => s === 'CHANGES_REQUESTED').map(([l]) => l);
  // Who approved exactly the head: a push after an approval is not covered by it (GitHub's
  // reviewDecision stays APPROVED unless the branch dismisses stale reviews).
  const approvedHeadBy =
    headSha === undefined ? [] : approvedBy.filter((l) => latestCommit.get(l) === headSha);
  const approved =
    decision !== null ? decision === 'APPROVED' : approvedBy.length > 0 && changesRequestedBy.length === 0;
  return {
    approved,
    approvedOnHead: approved && approvedHeadBy.length > 0,
    decision,
    source: decision !== null ? 'review-decision' : 'reviews',
    approvedBy,
    approvedHeadBy,
    changesRequestedBy,
  };
}

/** GitHub's mergeable / mergeable_state pair in release terms, with what to do about it. */
export function classifyMergeability(
  pr: { merged: boolean; state: string; draft: boolean; mergeable: boolean | null; mergeableState: string },
  head: string,
  base: string,
): Mergeability {
  const raw = pr.mergeableState;
  if (pr.merged)
    return { state: 'merged', mergeStateStatus: raw, reason: 'already merged', advice: undefined };
  if (pr.state !== 'open')
    return {
      state: 'closed',
      mergeStateStatus: raw,
      reason: 'the pull request is closed',
      advice: `reopen it or open a new PR ${head} → ${base}`,
    };
  if (pr.draft || raw === 'draft')
    return {
      state: 'draft',
      mergeStateStatus: raw,
      reason: 'the pull request is a draft',
      advice: 'mark it ready for review (gh pr ready)',
    };
  if (pr.mergeable === null || raw === 'unknown')
    return {
      state: 'unknown',
      mergeStateStatus: raw,
      reason: 'GitHub is still computing mergeability',
      advice: 're-run in a minute',
    };
  switch (raw) {
    case 'clean':
    case 'has_hooks':
    case 'unstable':
      if (pr.mergeable)
        return { state: 'mergeable', mergeStateStatus: raw, reason: `mergeable (${raw})`, advice: undefined };
      break;
    case 'behind':
      return {
        state: 'behind',
        mergeStateStatus: raw,
        reason: `${head} is behind ${base}`,
        advice: `update ${head} with ${base} (merge or rebase) before promoting, then let CI finish`,
      };
    case 'blocked':
      return {
        state: 'blocked',
        mergeStateStatus: raw,
        reason: `branch protection on ${base} blocks the merge`,
        advice: 'get the required approvals and required checks green',
      };
    case 'dirty':
      return {
        state: 'dirty',
        mergeStateStatus: raw,
        reason: `${head} has merge conflicts with ${base}`,
        advice: `resolve the conflicts on ${head}`,
      };
  }
  return {
    state: pr.mergeable === false ? 'dirty' : 'blocked',
    mergeStateStatus: raw,
    reason: `GitHub reports mergeable=${String(pr.mergeable)}, state ${raw}`,
    advice: 'look at the pull request on GitHub',
  };
}
