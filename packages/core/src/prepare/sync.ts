import type { StepOutcome } from '../engine/plan.js';
import { ReleaseError } from '../errors.js';
import type { BranchPort } from '../ports.js';

/**
 * Promote's last gitflow step: once the release PR is merged into the base branch, the
 * integration branch gets the merge (and the finalize commit) back, so the next release is cut
 * from a branch that contains this one.
 */
export interface SyncStep {
  readonly kind: 'sync-integration-branch';
  /** The integration branch (gitflow: dev). */
  readonly branch: string;
  /** The base branch the release PR was merged into (main). */
  readonly base: string;
  readonly version: string;
  /** The branch a sync PR is opened from when a fast-forward is not possible. */
  readonly syncBranch: string;
}

/** The branch a sync PR comes from: a copy of the base branch's head, so conflicts are resolved there, never on main. */
export function syncBranchName(version: string): string {
  return `sync/${version}`;
}

const short = (sha: string) => sha.slice(0, 7);

/**
 * Brings `branch` up to date with `base`: nothing when it already contains base's head; a
 * non-forced fast-forward when base contains it; else a PR from `sync/X.Y.Z` (cut at base's
 * head) into it. A sync PR already open or merged for this version counts as done. Throws with
 * the way out when it cannot (promote runs it best-effort: the release is out either way).
 */
export async function syncIntegrationBranch(
  branches: BranchPort | undefined,
  s: SyncStep,
  signal?: AbortSignal,
): Promise<StepOutcome> {
  const wayOut = `bring ${s.branch} up to date by hand: open a PR ${s.base} → ${s.branch} (or re-run release-cli promote ${s.version}; only this step is left)`;
  const fail = (why: string) => new ReleaseError('PLAN_FAILED', `${why}; ${wayOut}`);
  if (!branches) throw fail(`this forge cannot update branches`);
  const head = async (b: string) => {
    const o = await branches.observeBranch(b, signal);
    if (o.state === 'error') throw fail(`could not read ${b} (${o.code}): ${o.message}`);
    if (o.state === 'missing') throw fail(`branch ${b} does not exist`);
    return o.sha;
  };
  const [baseSha, integrationSha] = [await head(s.base), await head(s.branch)];
  if (baseSha === integrationSha)
    return { alreadyDone: true, after: baseSha, message: `${s.branch} is at ${s.base} already` };
  const cmp = await branches.compareBranches(s.branch, s.base, signal);
  if (cmp.state === 'error')
    throw fail(`could not compare ${s.branch} with ${s.base} (${cmp.code}): ${cmp.message}`);
  if (cmp.status === 'identical' || cmp.status === 'behind')
    return { alreadyDone: true, after: integrationSha, message: `${s.branch} contains ${s.base} already` };
  let refused = '';
  if (cmp.status === 'ahead') {
    try {
      await branches.fastForwardBranch(s.branch, integrationSha, baseSha, signal);
      return {
        before: integrationSha,
        after: baseSha,
        message: `fast-forwarded ${s.branch} to ${s.base} (${short(baseSha)})`,
      };
    } catch (e) {
      // A branch protection that wants PRs, or a push in between: the sync PR is the way.
      refused = ` (fast-forward refused: ${(e as Error).message})`;
    }
  }
  const existing = await branches.findPullRequest(s.syncBranch, s.branch, signal);
  if (existing.state === 'error')
    throw fail(`could not look for the sync PR (${existing.code}): ${existing.message}`);
  if (existing.state === 'open' || existing.state === 'merged')
    return {
      alreadyDone: true,
      after: `#${existing.number}`,
      message: `sync PR #${existing.number} ${s.syncBranch} → ${s.branch} is ${existing.state}`,
    };
  if (existing.state === 'closed')
    throw fail(`the sync PR #${existing.number} ${s.syncBranch} → ${s.branch} was closed`);
  const sync = await branches.observeBranch(s.syncBranch, signal);
  if (sync.state === 'error') throw fail(`could not read ${s.syncBranch} (${sync.code}): ${sync.message}`);
  if (sync.state === 'missing') await branches.createBranch(s.syncBranch, baseSha, signal);
  const opened = await branches.openPullRequest(
    {
      head: s.syncBranch,
      base: s.branch,
      title: `chore: sync ${s.base} into ${s.branch} after release ${s.version}`,
      body: `Release ${s.version} was merged into ${s.base}, and ${s.branch} has moved on since, so it cannot be fast-forwarded${refused}.\n\nMerge this PR (with a merge commit) to bring ${s.branch} up to date; resolve any conflicts on ${s.syncBranch}.`,
      draft: false,
    },
    signal,
  );
  return {
    before: integrationSha,
    after: `#${opened.number}`,
    message: `${s.branch} has diverged from ${s.base}${refused}: opened sync PR #${opened.number} ${opened.url}`,
  };
}
